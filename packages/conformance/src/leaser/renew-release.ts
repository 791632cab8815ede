import type { Leaser } from "@eph/core";
import { expectEphError } from "../error-assertions.js";
import { expect } from "../expect.js";
import type { SuiteContext } from "../suite-context.js";
import { expectWellFormed, leaseOf, plain, sorted } from "./helpers.js";

/** renewLease, updateLease, releaseLease and deleteLease. */
export function renewReleaseTests({ test, describe }: SuiteContext<Leaser>): void {
  describe("renewLease and updateLease", () => {
    test("renewLease changes the version and keeps owner and epoch, again and again", async (s) => {
      const a = s.host("host-a");
      await a.ensureStore();
      await a.ensureLease("0");
      const acquired = await a.acquireLease("0");
      const versions = [acquired.version];
      for (let k = 0; k < 3; k++) {
        const renewed = await a.renewLease("0");
        expectWellFormed(renewed, "renewLease");
        expect(renewed).toMatchObject({ partitionId: "0", owner: "host-a", epoch: 1 });
        versions.push(renewed.version);
        expect(await leaseOf(s.host(`observer-${k}`), "0")).toEqual(plain(renewed));
      }
      expect(new Set(versions).size).toBe(versions.length);
    });

    test("updateLease changes the version and keeps owner and epoch", async (s) => {
      const a = s.host("host-a");
      await a.ensureStore();
      await a.ensureLease("0");
      const acquired = await a.acquireLease("0");
      const updated = await a.updateLease("0");
      expectWellFormed(updated, "updateLease");
      expect(updated).toMatchObject({ partitionId: "0", owner: "host-a", epoch: 1 });
      expect(updated.version).not.toBe(acquired.version);
      expect(await leaseOf(s.host("observer"), "0")).toEqual(plain(updated));
      expect((await a.renewLease("0")).version).not.toBe(updated.version);
    });

    test("renew, update and release of a lease this leaser never held reject LeaseLost", async (s) => {
      const a = s.host("host-a");
      const b = s.host("host-b");
      await a.ensureStore();
      await a.ensureLease("0");
      await expectEphError(b.renewLease("0"), "LeaseLost", "renewLease of an unowned lease");
      await expectEphError(b.updateLease("0"), "LeaseLost", "updateLease of an unowned lease");
      await expectEphError(b.releaseLease("0"), "LeaseLost", "releaseLease of an unowned lease");
      const acquired = await a.acquireLease("0");
      await expectEphError(b.renewLease("0"), "LeaseLost", "renewLease of another host's lease");
      await expectEphError(b.updateLease("0"), "LeaseLost", "updateLease of another host's lease");
      await expectEphError(b.releaseLease("0"), "LeaseLost", "releaseLease of another host's lease");
      expect(await leaseOf(b, "0"), "the owner's lease is untouched").toEqual(plain(acquired));
    });

    test("renewing a lease whose record was deleted rejects LeaseLost or LeaseNotFound", async (s) => {
      const a = s.host("host-a");
      await a.ensureStore();
      await a.ensureLease("0");
      await a.acquireLease("0");
      await s.host("admin").deleteLease("0");
      await expectEphError(a.renewLease("0"), ["LeaseLost", "LeaseNotFound"], "renewLease of a deleted lease");
      expect(await a.getLeases(), "renewing did not recreate it").toEqual([]);
    });
  });
  describe("releaseLease", () => {
    test("makes the lease unowned, keeps the epoch and ends this leaser's hold", async (s) => {
      const a = s.host("host-a");
      await a.ensureStore();
      await a.ensureLease("0");
      const acquired = await a.acquireLease("0");
      await a.releaseLease("0");
      const released = await leaseOf(s.host("observer"), "0");
      expect(released).toMatchObject({ partitionId: "0", owner: "", epoch: 1 });
      expect(released?.version).not.toBe(acquired.version);
      await expectEphError(a.renewLease("0"), "LeaseLost", "renewLease after release");
      await expectEphError(a.releaseLease("0"), "LeaseLost", "second releaseLease");
      expect(await leaseOf(a, "0"), "failed calls changed nothing").toEqual(released);
    });

    test("re-acquiring a released lease increments the epoch", async (s) => {
      const a = s.host("host-a");
      const b = s.host("host-b");
      await a.ensureStore();
      await a.ensureLease("0");
      expect((await a.acquireLease("0")).epoch).toBe(1);
      await a.releaseLease("0");
      expect(await b.acquireLease("0")).toMatchObject({ owner: "host-b", epoch: 2 });
      await b.releaseLease("0");
      expect(await a.acquireLease("0")).toMatchObject({ owner: "host-a", epoch: 3 });
    });
  });
  describe("deleteLease", () => {
    test("deletes the record and is idempotent", async (s) => {
      const a = s.host("host-a");
      await a.ensureStore();
      await a.ensureLease("0");
      const one = await a.ensureLease("1");
      await a.deleteLease("0");
      expect(sorted(await s.host("observer").getLeases())).toEqual([plain(one)]);
      await a.deleteLease("0");
      await a.deleteLease("7");
      expect(sorted(await a.getLeases())).toEqual([plain(one)]);
      expect(await a.ensureLease("0"), "ensureLease recreates it").toMatchObject({ owner: "", epoch: 0 });
    });
  });
}
