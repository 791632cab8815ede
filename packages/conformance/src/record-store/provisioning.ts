import assert from "node:assert/strict";
import { expectEphError } from "../error-assertions.js";
import type { RecordSuiteContext } from "./session.js";

/** ensureStore, storeExists, deleteStore, and a store deleted behind the adapter's back. */
export function provisioningTests({ test, describe }: RecordSuiteContext): void {
  describe("store provisioning", () => {
    test("ensureStore creates the store, is idempotent, and is safe when many instances call it at once", async (s) => {
      const stores = Array.from({ length: s.concurrency }, () => s.store());
      await Promise.all(stores.map((store) => store.ensureStore()));
      await stores[0]?.ensureStore();
      for (const store of stores) assert.equal(await store.storeExists(), true, "storeExists after ensureStore");
      assert.deepEqual(await stores[1]?.list(s.scope, { kinds: ["lease", "host", "checkpoint"] }), []);
    });

    test("deleteStore removes the store and its records; deleting again is harmless", async (s) => {
      const store = await s.ready();
      await s.put(store, s.key("0"), { a: "1" });
      await store.deleteStore();
      assert.equal(await store.storeExists(), false, "storeExists after deleteStore");
      await expectEphError(store.read(s.key("0")), "StoreNotFound", "read after deleteStore");
      await store.deleteStore();
      await store.ensureStore();
      assert.equal(await store.read(s.key("0")), undefined, "a recreated store is empty");
    });

    test("every record call on a store deleted out of band rejects StoreNotFound", async (s) => {
      const store = await s.ready();
      const version = await s.put(store, s.key("0"), { a: "1" });
      await s.fixture.deleteStoreOutOfBand();
      assert.equal(await store.storeExists(), false, "storeExists");
      const other = s.store();
      await expectEphError(store.read(s.key("0")), "StoreNotFound", "read");
      await expectEphError(other.create(s.key("1"), { a: "1" }), "StoreNotFound", "create");
      await expectEphError(store.replace(s.key("0"), { a: "2" }, version), "StoreNotFound", "replace");
      await expectEphError(store.list(s.scope, { kinds: ["lease"] }), "StoreNotFound", "list");
      await expectEphError(store.delete(s.key("0")), "StoreNotFound", "delete");
      await expectEphError(store.delete(s.key("0"), version), "StoreNotFound", "conditional delete");
      if (store.replaceMany) {
        const request = { ...s.key("0"), fields: { a: "3" }, expectedVersion: version };
        await expectEphError(store.replaceMany([request, { ...request, id: "1" }]), "StoreNotFound", "replaceMany");
      }
      if (store.createMany) {
        const request = { ...s.key("2"), fields: { a: "1" } };
        await expectEphError(store.createMany([request, { ...request, id: "3" }]), "StoreNotFound", "createMany");
      }
    });
  });
}
