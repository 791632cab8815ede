import assert from "node:assert/strict";
import type { RecordSuiteContext } from "./session.js";

/** delete, with and without a version condition. */
export function deleteTests({ test, describe }: RecordSuiteContext): void {
  describe("delete", () => {
    test("without a version deletes the record, and deleting a missing record is harmless", async (s) => {
      const store = await s.ready();
      await s.put(store, s.key("0"), { a: "1" });
      await s.put(store, s.key("1"), { a: "1" });
      assert.deepEqual(await store.delete(s.key("0")), { status: "deleted" });
      assert.equal(await s.store().read(s.key("0")), undefined);
      assert.deepEqual(await store.delete(s.key("0")), { status: "deleted" }, "deleting again");
      assert.deepEqual(await store.delete(s.key("7")), { status: "deleted" }, "a record that never existed");
      assert.deepEqual(
        (await store.list(s.scope, { kinds: ["lease"] })).map((r) => r.id),
        ["1"],
      );
    });

    test("with a version deletes only a record still at that version", async (s) => {
      const store = await s.ready();
      const v1 = await s.put(store, s.key("0"), { epoch: "1" });
      const replaced = await store.replace(s.key("0"), { epoch: "2" }, v1);
      assert.equal(replaced.status, "written");
      assert.deepEqual(await store.delete(s.key("0"), v1), { status: "conflict" }, "stale version");
      assert.deepEqual((await store.read(s.key("0")))?.fields, { epoch: "2" }, "a refused delete changes nothing");
      const v2 = replaced.status === "written" ? replaced.version : "";
      assert.deepEqual(await s.store().delete(s.key("0"), v2), { status: "deleted" });
      assert.equal(await store.read(s.key("0")), undefined);
      assert.deepEqual(await store.delete(s.key("0"), v2), { status: "conflict" }, "a missing record with a version");
    });
  });
}
