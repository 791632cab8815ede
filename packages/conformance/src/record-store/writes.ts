import assert from "node:assert/strict";
import { plainRecord, type RecordSuiteContext } from "./session.js";

/** read, create and replace: conditions, races and versions. */
export function writeTests({ test, describe }: RecordSuiteContext): void {
  describe("create, read and replace", () => {
    test("read of a record that does not exist resolves undefined", async (s) => {
      const store = await s.ready();
      assert.equal(await store.read(s.key("0")), undefined);
    });

    test("create writes a record that any instance reads back with its kind, id, fields and version", async (s) => {
      const store = await s.ready();
      const outcome = await store.create(s.key("0"), { owner: "host-a", epoch: "1" });
      assert.equal(outcome.status, "written");
      assert.ok(outcome.status === "written" && outcome.version.length > 0, "a non-empty version");
      const expected = { kind: "lease", id: "0", fields: { owner: "host-a", epoch: "1" }, version: outcome.version };
      assert.deepEqual(plainRecord(await store.read(s.key("0"))), expected);
      assert.deepEqual(plainRecord(await s.store().read(s.key("0"))), expected, "read by another instance");
    });

    test("create of an existing record is a conflict and changes nothing", async (s) => {
      const store = await s.ready();
      const version = await s.put(store, s.key("0"), { owner: "first" });
      assert.deepEqual(await s.store().create(s.key("0"), { owner: "second" }), { status: "conflict" });
      assert.deepEqual(plainRecord(await store.read(s.key("0"))), {
        kind: "lease",
        id: "0",
        fields: { owner: "first" },
        version,
      });
    });

    test("exactly one of many racing creators wins", async (s) => {
      await s.ready();
      const racers = Array.from({ length: s.concurrency }, () => s.store());
      const outcomes = await Promise.all(racers.map((racer, i) => racer.create(s.key("0"), { owner: `racer-${i}` })));
      const winners = outcomes.flatMap((o, i) => (o.status === "written" ? [{ i, version: o.version }] : []));
      assert.equal(winners.length, 1, `winners: ${JSON.stringify(outcomes)}`);
      const [winner] = winners;
      const stored = await s.store().read(s.key("0"));
      assert.deepEqual(stored?.fields, { owner: `racer-${winner?.i}` });
      assert.equal(stored?.version, winner?.version);
    });

    test("replace at the current version writes a new version; a stale version or a missing record is a conflict", async (s) => {
      const store = await s.ready();
      const v1 = await s.put(store, s.key("0"), { epoch: "1" });
      const replaced = await store.replace(s.key("0"), { epoch: "2" }, v1);
      assert.equal(replaced.status, "written");
      const v2 = replaced.status === "written" ? replaced.version : "";
      assert.notEqual(v2, v1);
      assert.deepEqual(await s.store().replace(s.key("0"), { epoch: "3" }, v1), { status: "conflict" }, "stale");
      assert.deepEqual(await store.replace(s.key("0"), { epoch: "3" }, "no-such-version"), { status: "conflict" });
      assert.deepEqual(await store.replace(s.key("9"), { epoch: "3" }, v1), { status: "conflict" }, "missing");
      assert.deepEqual(plainRecord(await store.read(s.key("0"))), {
        kind: "lease",
        id: "0",
        fields: { epoch: "2" },
        version: v2,
      });
      assert.equal(await store.read(s.key("9")), undefined, "replace did not create the missing record");
    });

    test("exactly one of many racing replacers at one version wins", async (s) => {
      const store = await s.ready();
      const version = await s.put(store, s.key("0"), { owner: "" });
      const racers = Array.from({ length: s.concurrency }, () => s.store());
      const outcomes = await Promise.all(racers.map((r, i) => r.replace(s.key("0"), { owner: `racer-${i}` }, version)));
      const winners = outcomes.flatMap((o, i) => (o.status === "written" ? [{ i, version: o.version }] : []));
      assert.equal(winners.length, 1, `winners: ${JSON.stringify(outcomes)}`);
      const stored = await store.read(s.key("0"));
      assert.deepEqual(stored?.fields, { owner: `racer-${winners[0]?.i}` });
      assert.equal(stored?.version, winners[0]?.version);
    });

    test("every write changes the version, even one with the same fields, and versions are never reused", async (s) => {
      // Observers time a lease's expiry by how long its version stays unchanged, and a holder's old
      // version must never match a record deleted and created again.
      const store = await s.ready();
      const versions = [await s.put(store, s.key("0"), { epoch: "1" })];
      for (let k = 0; k < 2; k++) {
        const outcome = await store.replace(s.key("0"), { epoch: "1" }, versions.at(-1) ?? "");
        assert.equal(outcome.status, "written", `rewrite ${k + 1}`);
        if (outcome.status === "written") versions.push(outcome.version);
      }
      assert.equal((await store.read(s.key("0")))?.version, versions.at(-1), "a read returns the last version");
      await store.delete(s.key("0"));
      versions.push(await s.put(store, s.key("0"), { epoch: "1" }));
      assert.equal(new Set(versions).size, versions.length, `versions ${versions.join(", ")}`);
      for (const old of versions.slice(0, -1)) {
        assert.deepEqual(
          await store.replace(s.key("0"), { epoch: "2" }, old),
          { status: "conflict" },
          `old version ${old}`,
        );
      }
    });
  });
}
