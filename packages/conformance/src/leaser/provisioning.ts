import type { Leaser } from "@eph/core";
import { expectEphError } from "../error-assertions.js";
import { expect } from "../expect.js";
import type { SuiteContext } from "../suite-context.js";

/** Configuration and store provisioning. */
export function provisioningTests({ test, describe, concurrency }: SuiteContext<Leaser>): void {
  describe("configuration", () => {
    test("rejects every record operation with NotConfigured before setEventProcessorHost", async (s) => {
      await s.host("host-a").ensureStore();
      const leaser = s.unconfigured();
      await expectEphError(leaser.getLeases(), "NotConfigured", "getLeases");
      await expectEphError(leaser.ensureLease("0"), "NotConfigured", "ensureLease");
      await expectEphError(leaser.acquireLease("0"), "NotConfigured", "acquireLease");
      await expectEphError(leaser.renewLease("0"), "NotConfigured", "renewLease");
      await expectEphError(leaser.updateLease("0"), "NotConfigured", "updateLease");
      await expectEphError(leaser.releaseLease("0"), "NotConfigured", "releaseLease");
      await expectEphError(leaser.deleteLease("0"), "NotConfigured", "deleteLease");
    });
  });
  describe("store provisioning", () => {
    test("ensureStore creates the store and is idempotent", async (s) => {
      const leaser = s.host("host-a");
      await leaser.ensureStore();
      await leaser.ensureStore();
      expect(await leaser.storeExists()).toBe(true);
      expect(await leaser.getLeases()).toEqual([]);
    });

    test("ensureStore is safe when many hosts call it at once", async (s) => {
      const leasers = s.hosts(concurrency);
      await Promise.all(leasers.map((leaser) => leaser.ensureStore()));
      for (const leaser of leasers) expect(await leaser.storeExists()).toBe(true);
      await leasers[0]!.ensureLease("0");
      expect(await leasers[1]!.getLeases()).toHaveLength(1);
    });

    test("deleteStore removes the store and its leases; deleting again is harmless", async (s) => {
      const leaser = s.host("host-a");
      await leaser.ensureStore();
      await leaser.ensureLease("0");
      await leaser.deleteStore();
      expect(await leaser.storeExists()).toBe(false);
      await expectEphError(leaser.getLeases(), "StoreNotFound", "getLeases after deleteStore");
      await leaser.deleteStore();
      await leaser.ensureStore();
      expect(await leaser.getLeases(), "a recreated store is empty").toEqual([]);
    });

    test("calls on a store deleted out of band reject StoreNotFound", async (s) => {
      const leaser = s.host("host-a");
      await leaser.ensureStore();
      await leaser.ensureLease("0");
      await leaser.acquireLease("0");
      await s.fixture.deleteStoreOutOfBand();
      expect(await leaser.storeExists()).toBe(false);
      await expectEphError(leaser.getLeases(), "StoreNotFound", "getLeases");
      await expectEphError(leaser.ensureLease("1"), "StoreNotFound", "ensureLease");
      await expectEphError(s.host("host-b").acquireLease("0"), "StoreNotFound", "acquireLease");
      await expectEphError(leaser.renewLease("0"), "StoreNotFound", "renewLease of a held lease");
      await expectEphError(leaser.updateLease("0"), "StoreNotFound", "updateLease of a held lease");
      await expectEphError(leaser.releaseLease("0"), "StoreNotFound", "releaseLease of a held lease");
    });
  });
}
