import assert from "node:assert/strict";
import type { RecordScope, RecordStore, VersionedRecord } from "@eph/core";
import { neighbourScopes } from "../host-info.js";
import { plainRecord, type RecordSuiteContext } from "./session.js";

function byKindAndId(records: readonly VersionedRecord[]): Array<VersionedRecord | undefined> {
  return records.map(plainRecord).sort((a, b) => `${a?.kind}/${a?.id}`.localeCompare(`${b?.kind}/${b?.id}`));
}

async function readAll(
  store: RecordStore,
  scope: RecordScope,
  records: readonly VersionedRecord[],
): Promise<VersionedRecord[]> {
  const read = await Promise.all(records.map((r) => store.read({ scope, kind: r.kind, id: r.id })));
  return read.filter((r): r is VersionedRecord => r !== undefined);
}

/** list: every record of the requested kinds, with versions, and never another kind or scope. */
export function listingTests({ test, describe }: RecordSuiteContext, manyRecords: number): void {
  describe("list", () => {
    test("returns every record of the requested kinds with the versions a read returns, and no other kind", async (s) => {
      const store = await s.ready();
      for (let i = 0; i < 5; i++) await s.put(store, s.key(String(i)), { n: String(i) });
      await s.put(store, s.key("host-a", "host"), { n: "a" });
      await s.put(store, s.key("0", "checkpoint"), { n: "c0" });
      await s.put(store, s.key("1", "checkpoint"), { n: "c1" });
      const leases = await s.store().list(s.scope, { kinds: ["lease"] });
      assert.deepEqual(leases.map((r) => r.id).sort(), ["0", "1", "2", "3", "4"]);
      assert.deepEqual(byKindAndId(leases), byKindAndId(await readAll(store, s.scope, leases)), "versions and fields");
      const scan = await store.list(s.scope, { kinds: ["lease", "host"] });
      assert.deepEqual(scan.map((r) => `${r.kind}/${r.id}`).sort(), [
        "host/host-a",
        ...["0", "1", "2", "3", "4"].map((i) => `lease/${i}`),
      ]);
      const checkpoints = await store.list(s.scope, { kinds: ["checkpoint"] });
      assert.deepEqual(byKindAndId(checkpoints), byKindAndId(await readAll(store, s.scope, checkpoints)));
      assert.deepEqual(checkpoints.map((r) => r.fields.n).sort(), ["c0", "c1"]);
    });

    test("shows each record's latest version and leaves deleted records out", async (s) => {
      const store = await s.ready();
      const v0 = await s.put(store, s.key("0"), { epoch: "0" });
      await s.put(store, s.key("1"), { epoch: "0" });
      const replaced = await store.replace(s.key("0"), { epoch: "1" }, v0);
      await store.delete(s.key("1"));
      const listed = await s.store().list(s.scope, { kinds: ["lease"] });
      assert.deepEqual(listed.map(plainRecord), [
        {
          kind: "lease",
          id: "0",
          fields: { epoch: "1" },
          version: replaced.status === "written" ? replaced.version : "",
        },
      ]);
    });

    test(`returns all of ${manyRecords} records in one scope`, async (s) => {
      const store = await s.ready();
      const ids = Array.from({ length: manyRecords }, (_, i) => String(i));
      for (let i = 0; i < ids.length; i += 25) {
        await Promise.all(ids.slice(i, i + 25).map((id) => s.put(store, s.key(id), { id })));
      }
      const listed = await store.list(s.scope, { kinds: ["lease"] });
      assert.equal(listed.length, manyRecords);
      assert.deepEqual(new Set(listed.map((r) => r.id)), new Set(ids));
      for (const record of listed) assert.equal(record.fields.id, record.id);
    });

    test("keeps namespaces, hubs and consumer groups that share one store apart", async (s) => {
      const store = await s.ready();
      assert.deepEqual(await store.list(s.scope, { kinds: ["lease", "host", "checkpoint"] }), [], "an unused scope");
      for (const [i, scope] of neighbourScopes.entries()) {
        await s.put(store, s.key("0", "lease", scope), { scope: String(i) });
        await s.put(store, s.key(`only-${i}`, "host", scope), { scope: String(i) });
      }
      for (const [i, scope] of neighbourScopes.entries()) {
        const listed = await s.store().list(scope, { kinds: ["lease", "host"] });
        assert.deepEqual(
          listed.map((r) => `${r.kind}/${r.id}=${r.fields.scope}`).sort(),
          [`host/only-${i}=${i}`, `lease/0=${i}`],
          JSON.stringify(scope),
        );
        assert.equal(await store.read(s.key(`only-${i + 1}`, "host", scope)), undefined, "another scope's id");
      }
      await store.delete(s.key("0", "lease", neighbourScopes[1]));
      const first = await store.read(s.key("0", "lease", neighbourScopes[0]));
      assert.equal(first?.fields.scope, "0", "a delete in one scope leaves the others");
      assert.deepEqual(await store.list(s.scope, { kinds: ["lease", "host"] }), [], "the default scope is still empty");
    });
  });
}
