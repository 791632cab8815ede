import type { Checkpointer } from "@eph/core";
import { expectEphError } from "../error-assertions.js";
import { expect } from "../expect.js";
import type { SuiteContext } from "../suite-context.js";
import { position } from "./helpers.js";

/** Configuration and store provisioning. */
export function provisioningTests({ test, describe, concurrency }: SuiteContext<Checkpointer>): void {
  describe("configuration", () => {
    test("rejects every record operation with NotConfigured before setEventProcessorHost", async (s) => {
      await s.host("host-a").ensureStore();
      const checkpointer = s.unconfigured();
      await expectEphError(checkpointer.getCheckpoint("0"), "NotConfigured", "getCheckpoint");
      await expectEphError(checkpointer.ensureCheckpoint("0"), "NotConfigured", "ensureCheckpoint");
      await expectEphError(
        checkpointer.updateCheckpoint("0", position(1), { epoch: 1 }),
        "NotConfigured",
        "updateCheckpoint",
      );
      await expectEphError(checkpointer.deleteCheckpoint("0"), "NotConfigured", "deleteCheckpoint");
    });
  });
  describe("store provisioning", () => {
    test("ensureStore creates the store, is idempotent and is safe when many hosts call it at once", async (s) => {
      const checkpointers = s.hosts(concurrency);
      await Promise.all(checkpointers.map((c) => c.ensureStore()));
      await checkpointers[0]!.ensureStore();
      for (const c of checkpointers) expect(await c.storeExists()).toBe(true);
      expect(await checkpointers[1]!.getCheckpoint("0")).toBeUndefined();
    });

    test("deleteStore removes the store and its checkpoints; deleting again is harmless", async (s) => {
      const c = s.host("host-a");
      await c.ensureStore();
      await c.ensureCheckpoint("0", { epoch: 1 });
      await c.updateCheckpoint("0", position(5), { epoch: 1 });
      await c.deleteStore();
      expect(await c.storeExists()).toBe(false);
      await expectEphError(c.getCheckpoint("0"), "StoreNotFound", "getCheckpoint after deleteStore");
      await c.deleteStore();
      await c.ensureStore();
      expect(await c.getCheckpoint("0"), "a recreated store is empty").toBeUndefined();
    });

    test("calls on a store deleted out of band reject StoreNotFound", async (s) => {
      const c = s.host("host-a");
      await c.ensureStore();
      await c.ensureCheckpoint("0", { epoch: 1 });
      await c.updateCheckpoint("0", position(5), { epoch: 1 });
      await s.fixture.deleteStoreOutOfBand();
      expect(await c.storeExists()).toBe(false);
      await expectEphError(c.getCheckpoint("0"), "StoreNotFound", "getCheckpoint");
      await expectEphError(c.ensureCheckpoint("1", { epoch: 1 }), "StoreNotFound", "ensureCheckpoint");
      await expectEphError(
        c.updateCheckpoint("0", position(6), { epoch: 1 }),
        "StoreNotFound",
        "updateCheckpoint after an own write",
      );
      await expectEphError(
        s.host("host-b").updateCheckpoint("0", position(6), { epoch: 1 }),
        "StoreNotFound",
        "updateCheckpoint",
      );
    });
  });
}
