import assert from "node:assert/strict";
import type { RecordFields } from "@eph/core";
import type { RecordSuiteContext } from "./session.js";

/** Values a store must hold exactly, whatever its own encoding (blob metadata is ASCII). */
const oddValues: RecordFields = {
  empty: "",
  plain: "host-a",
  unicode: "ünïcødé ✓ 日本語 🙂",
  quotes: `double " single ' back \\ slash`,
  whitespace: " leading\nnew line\ttab trailing ",
  punctuation: "=;&?#%/+:@,<>[]{}",
  format: "1",
  long: "x".repeat(1024),
};

/** Ids a store must address distinctly, whatever its keys allow. */
const oddIds = ["0", "31", "a/b", "a b", "ü", "$Default", "x#y?z", "%2F", "..", "a\\b", "A", "a", "-", "_"];

/** Fields, ids and kinds round-trip exactly; results are copies. */
export function fieldTests({ test, describe }: RecordSuiteContext): void {
  describe("fields, ids and kinds", () => {
    test("fields round-trip exactly, and only the fields written come back", async (s) => {
      const store = await s.ready();
      await s.put(store, s.key("0"), oddValues);
      await s.put(store, s.key("1"), {});
      assert.deepEqual({ ...(await s.store().read(s.key("0")))?.fields }, oddValues);
      assert.deepEqual({ ...(await store.read(s.key("1")))?.fields }, {}, "a record without fields");
      const [listed] = await store.list(s.scope, { kinds: ["lease"] }).then((r) => r.filter((x) => x.id === "0"));
      assert.deepEqual({ ...listed?.fields }, oddValues, "fields of a listed record");
      const version = (await store.read(s.key("0")))?.version ?? "";
      const next = { ...oddValues, plain: "host-b" };
      await store.replace(s.key("0"), next, version);
      assert.deepEqual({ ...(await store.read(s.key("0")))?.fields }, next, "fields after a replace");
    });

    test("ids with odd characters address distinct records and list back exactly", async (s) => {
      const store = await s.ready();
      for (const id of oddIds) await s.put(store, s.key(id), { id });
      for (const id of oddIds)
        assert.deepEqual((await s.store().read(s.key(id)))?.fields, { id }, `read of id ${JSON.stringify(id)}`);
      const listed = await store.list(s.scope, { kinds: ["lease"] });
      assert.deepEqual(listed.map((r) => r.id).sort(), [...oddIds].sort());
      for (const record of listed) assert.equal(record.fields.id, record.id);
    });

    test("the same id of different kinds names different records", async (s) => {
      const store = await s.ready();
      for (const kind of ["lease", "checkpoint", "host"] as const) await s.put(store, s.key("0", kind), { kind });
      for (const kind of ["lease", "checkpoint", "host"] as const)
        assert.equal((await store.read(s.key("0", kind)))?.kind, kind);
      await store.delete(s.key("0", "lease"));
      assert.equal((await store.read(s.key("0", "checkpoint")))?.fields.kind, "checkpoint");
      assert.equal((await store.read(s.key("0", "host")))?.fields.kind, "host");
    });

    test("records are copied in and out: changing an argument or a result changes nothing stored", async (s) => {
      const store = await s.ready();
      const fields: Record<string, string> = { owner: "host-a" };
      await s.put(store, s.key("0"), fields);
      fields.owner = "intruder";
      const read = await store.read(s.key("0"));
      try {
        Object.assign(read?.fields ?? {}, { owner: "forged" });
      } catch {
        // Frozen results are fine too.
      }
      assert.deepEqual({ ...(await store.read(s.key("0")))?.fields }, { owner: "host-a" });
    });
  });
}
