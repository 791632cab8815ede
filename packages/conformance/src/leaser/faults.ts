import type { Leaser } from "@eph/core";
import { expectEphError, expectNoSecrets } from "../error-assertions.js";
import { expect } from "../expect.js";
import type { SuiteContext } from "../suite-context.js";
import { leaseOf, plain, sorted } from "./helpers.js";

/** Corrupt records, cancellation, results and errors, close. */
export function faultTests({ test, describe }: SuiteContext<Leaser>): void {
  describe("corrupt records", () => {
    test("getLeases skips a record it cannot parse and lists the others", async (s) => {
      const a = s.host("host-a");
      await a.ensureStore();
      const leases = await Promise.all([a.ensureLease("0"), a.ensureLease("1")]);
      await s.fixture.writeCorruptRecord(s.info("host-a"), "27");
      expect(sorted(await a.getLeases())).toEqual(sorted(leases));
    });

    test("calls on a corrupt record reject CorruptRecord naming the partition", async (s) => {
      const a = s.host("host-a");
      await a.ensureStore();
      await s.fixture.writeCorruptRecord(s.info("host-a"), "27");
      const errors = [
        await expectEphError(a.ensureLease("27"), "CorruptRecord", "ensureLease"),
        await expectEphError(s.host("host-b").acquireLease("27"), "CorruptRecord", "acquireLease"),
      ];
      for (const error of errors) expect(error.message).toContain("27");
    });

    test("a lease that was overwritten with garbage is lost to its holder and can be listed around", async (s) => {
      const a = s.host("host-a");
      await a.ensureStore();
      await a.ensureLease("27");
      await a.acquireLease("27");
      await s.fixture.writeCorruptRecord(s.info("host-a"), "27");
      expect(await a.getLeases()).toEqual([]);
      await expectEphError(a.renewLease("27"), ["LeaseLost", "CorruptRecord"], "renewLease");
    });

    test("a corrupt record can be deleted and then ensured afresh", async (s) => {
      const a = s.host("host-a");
      await a.ensureStore();
      await s.fixture.writeCorruptRecord(s.info("host-a"), "27");
      await a.deleteLease("27");
      expect(await a.ensureLease("27")).toMatchObject({ partitionId: "27", owner: "", epoch: 0 });
    });
  });
  describe("cancellation", () => {
    test("every call with an aborted signal rejects Aborted and changes nothing", async (s) => {
      const a = s.host("host-a");
      const b = s.host("host-b");
      await a.ensureStore();
      await a.ensureLease("0");
      const held = await a.acquireLease("0");
      const abortSignal = AbortSignal.abort();
      const o = { abortSignal };
      await expectEphError(a.storeExists(o), "Aborted", "storeExists");
      await expectEphError(a.ensureStore(o), "Aborted", "ensureStore");
      await expectEphError(a.getLeases(o), "Aborted", "getLeases");
      await expectEphError(a.ensureLease("1", o), "Aborted", "ensureLease");
      await expectEphError(b.acquireLease("0", o), "Aborted", "acquireLease");
      await expectEphError(b.acquireLease("0", { abortSignal, expectedVersion: held.version }), "Aborted", "acquire");
      await expectEphError(a.renewLease("0", o), "Aborted", "renewLease");
      await expectEphError(a.updateLease("0", o), "Aborted", "updateLease");
      await expectEphError(a.releaseLease("0", o), "Aborted", "releaseLease");
      await expectEphError(a.deleteLease("0", o), "Aborted", "deleteLease");
      await expectEphError(a.deleteStore(o), "Aborted", "deleteStore");
      expect(await a.storeExists()).toBe(true);
      expect(sorted(await b.getLeases())).toEqual([plain(held)]);
      expect(await a.renewLease("0"), "host-a still holds the lease").toMatchObject({ owner: "host-a", epoch: 1 });
    });
  });
  describe("results and errors", () => {
    test("returned leases are copies: changing one does not change the store", async (s) => {
      const a = s.host("host-a");
      await a.ensureStore();
      await a.ensureLease("0");
      const acquired = await a.acquireLease("0");
      const snapshot = plain(acquired);
      const listed = (await a.getLeases())[0]!;
      for (const lease of [acquired, listed]) {
        try {
          Object.assign(lease, { owner: "intruder", epoch: 99, version: "forged" });
        } catch {
          // Frozen results are fine too.
        }
      }
      expect(await leaseOf(s.host("observer"), "0")).toEqual(snapshot);
      expect(await a.renewLease("0")).toMatchObject({ owner: "host-a", epoch: 1 });
    });

    test("errors carry a code and a message, and nothing exposes the fixture's secrets", async (s) => {
      const a = s.host("host-a");
      const b = s.host("host-b");
      await a.ensureStore();
      const results: unknown[] = [await a.ensureLease("0"), await a.acquireLease("0"), await a.getLeases()];
      await s.fixture.writeCorruptRecord(s.info("host-a"), "27");
      const errors: unknown[] = [
        await expectEphError(b.renewLease("0"), "LeaseLost", "renewLease of another host's lease"),
        await expectEphError(b.acquireLease("0", { expectedVersion: "stale" }), "LeaseLost", "stale acquire"),
        await expectEphError(b.acquireLease("27"), "CorruptRecord", "acquireLease of a corrupt record"),
        await expectEphError(s.unconfigured().getLeases(), "NotConfigured", "unconfigured getLeases"),
      ];
      results.push(await a.getLeases());
      await s.fixture.deleteStoreOutOfBand();
      errors.push(await expectEphError(a.getLeases(), "StoreNotFound", "getLeases of a missing store"));
      errors.push(await expectEphError(a.renewLease("0"), "StoreNotFound", "renewLease in a missing store"));
      expectNoSecrets(s.fixture.secrets, [...results, ...errors], "leaser");
    });
  });
  describe("close", () => {
    test("keeps the leases; a closed leaser rejects further calls with Closed", async (s) => {
      const a = s.host("host-a");
      await a.ensureStore();
      await a.ensureLease("0");
      const acquired = await a.acquireLease("0");
      await a.close();
      await a.close();
      expect(await leaseOf(s.host("observer"), "0"), "close does not release").toEqual(plain(acquired));
      await expectEphError(a.renewLease("0"), "Closed", "renewLease after close");
      await expectEphError(a.getLeases(), "Closed", "getLeases after close");
    });
  });
}
