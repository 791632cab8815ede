import assert from "node:assert/strict";
import { expectEphError, expectNoSecrets } from "../error-assertions.js";
import type { RecordSuiteContext } from "./session.js";

/** Aborted signals, undecodable records, and secrets in results and errors. */
export function faultTests({ test, describe }: RecordSuiteContext): void {
  describe("cancellation, corrupt records and secrets", () => {
    test("every call with an aborted signal rejects Aborted and changes nothing", async (s) => {
      const store = await s.ready();
      const version = await s.put(store, s.key("0"), { epoch: "1" });
      const o = { abortSignal: AbortSignal.abort() };
      await expectEphError(store.storeExists(o), "Aborted", "storeExists");
      await expectEphError(store.ensureStore(o), "Aborted", "ensureStore");
      await expectEphError(store.read(s.key("0"), o), "Aborted", "read");
      await expectEphError(store.create(s.key("1"), { a: "1" }, o), "Aborted", "create");
      await expectEphError(store.replace(s.key("0"), { epoch: "2" }, version, o), "Aborted", "replace");
      await expectEphError(store.list(s.scope, { kinds: ["lease"], ...o }), "Aborted", "list");
      await expectEphError(store.delete(s.key("0"), undefined, o), "Aborted", "delete");
      await expectEphError(store.delete(s.key("0"), version, o), "Aborted", "conditional delete");
      if (store.replaceMany) {
        const request = { ...s.key("0"), fields: { epoch: "3" }, expectedVersion: version };
        await expectEphError(store.replaceMany([request], o), "Aborted", "replaceMany");
      }
      if (store.createMany) {
        await expectEphError(store.createMany([{ ...s.key("1"), fields: { a: "1" } }], o), "Aborted", "createMany");
      }
      await expectEphError(store.deleteStore(o), "Aborted", "deleteStore");
      assert.equal(await store.storeExists(), true);
      const after = await store.read(s.key("0"));
      assert.deepEqual([after?.version, { ...after?.fields }], [version, { epoch: "1" }]);
      assert.equal(await store.read(s.key("1")), undefined);
    });

    test("a record the store cannot decode: read rejects CorruptRecord naming it, list skips it, delete removes it", async (s) => {
      const store = await s.ready();
      if (!s.fixture.writeCorruptRecord) return; // Optional: a store whose every record decodes.
      await s.put(store, s.key("0"), { a: "1" });
      await s.fixture.writeCorruptRecord(s.key("27"));
      const error = await expectEphError(store.read(s.key("27")), "CorruptRecord", "read");
      assert.ok(error.message.includes("27"), `the message names the record: ${error.message}`);
      assert.deepEqual(
        (await store.list(s.scope, { kinds: ["lease"] })).map((r) => r.id),
        ["0"],
      );
      assert.deepEqual(await store.delete(s.key("27")), { status: "deleted" });
      await s.put(store, s.key("27"), { a: "2" });
    });

    test("errors are EphErrors with a code and a message, and nothing exposes the fixture's secrets", async (s) => {
      const store = await s.ready();
      const results: unknown[] = [store, await store.create(s.key("0"), { a: "1" }), await store.read(s.key("0"))];
      results.push(await store.list(s.scope, { kinds: ["lease"] }));
      await s.fixture.deleteStoreOutOfBand();
      const errors: unknown[] = [
        await expectEphError(store.read(s.key("0")), "StoreNotFound", "read of a missing store"),
        await expectEphError(store.create(s.key("1"), { a: "1" }), "StoreNotFound", "create in a missing store"),
        await expectEphError(store.list(s.scope, { kinds: ["lease"] }), "StoreNotFound", "list of a missing store"),
      ];
      expectNoSecrets(s.fixture.secrets, [...results, ...errors], "record store");
    });
  });
}
