import assert from "node:assert/strict";
import type { RecordStore } from "@eph/core";
import type { RecordSession, RecordSuiteContext } from "./session.js";

async function three(s: RecordSession, store: RecordStore): Promise<string[]> {
  return Promise.all(["0", "1", "2"].map((id) => s.put(store, s.key(id), { epoch: "1" })));
}

/** createMany and replaceMany, for stores that offer them (Table entity group transactions). */
export function batchTests({ test, describe }: RecordSuiteContext): void {
  describe("replaceMany (optional)", () => {
    test("writes every member and answers in request order with new versions", async (s) => {
      const store = await s.ready();
      if (!store.replaceMany) return; // Optional: core then sends renewals one by one.
      const versions = await three(s, store);
      const outcomes = await store.replaceMany(
        versions.map((v, i) => ({ ...s.key(String(i)), fields: { epoch: "2" }, expectedVersion: v })),
      );
      assert.equal(outcomes.length, 3);
      for (const [i, outcome] of outcomes.entries()) {
        assert.equal(outcome.status, "written", `member ${i}`);
        const stored = await s.store().read(s.key(String(i)));
        assert.deepEqual(
          [stored?.version, { ...stored?.fields }],
          [outcome.status === "written" ? outcome.version : "", { epoch: "2" }],
        );
        assert.notEqual(stored?.version, versions[i]);
      }
    });

    test("a member at a stale version or missing is a conflict; the others are written or skipped, and skipped ones are untouched", async (s) => {
      const store = await s.ready();
      if (!store.replaceMany) return;
      const versions = await three(s, store);
      const requests = [
        { ...s.key("0"), fields: { epoch: "2" }, expectedVersion: versions[0] ?? "" },
        { ...s.key("1"), fields: { epoch: "2" }, expectedVersion: "stale" },
        { ...s.key("2"), fields: { epoch: "2" }, expectedVersion: versions[2] ?? "" },
        { ...s.key("9"), fields: { epoch: "2" }, expectedVersion: versions[2] ?? "" },
      ];
      const outcomes = await store.replaceMany(requests);
      assert.equal(outcomes.length, 4);
      assert.equal(outcomes[1]?.status, "conflict", "the stale member");
      assert.notEqual(outcomes[3]?.status, "written", "the missing member");
      for (const [i, outcome] of outcomes.entries()) {
        const stored = await store.read(requests[i] ?? s.key("?"));
        if (outcome.status === "written")
          assert.deepEqual([stored?.version, stored?.fields.epoch], [outcome.version, "2"]);
        else
          assert.equal(
            stored?.version,
            i === 3 ? undefined : versions[i],
            `member ${i} (${outcome.status}) is unchanged`,
          );
      }
      assert.equal(await store.read(s.key("9")), undefined, "a batch never creates");
    });
  });

  describe("createMany (optional)", () => {
    test("creates every member and answers in request order with their versions", async (s) => {
      const store = await s.ready();
      if (!store.createMany) return; // Optional: core then creates leases one by one.
      const outcomes = await store.createMany(["0", "1", "2"].map((id) => ({ ...s.key(id), fields: { epoch: "0" } })));
      assert.equal(outcomes.length, 3);
      for (const [i, outcome] of outcomes.entries()) {
        assert.equal(outcome.status, "written", `member ${i}`);
        const stored = await store.read(s.key(String(i)));
        assert.deepEqual(
          [stored?.version, { ...stored?.fields }],
          [outcome.status === "written" ? outcome.version : "", { epoch: "0" }],
        );
      }
    });

    test("a member that exists is a conflict and stays as it was; members not written are skipped and absent", async (s) => {
      const store = await s.ready();
      if (!store.createMany) return;
      const existing = await s.put(store, s.key("1"), { epoch: "7" });
      const outcomes = await store.createMany(["0", "1", "2"].map((id) => ({ ...s.key(id), fields: { epoch: "0" } })));
      assert.equal(outcomes.length, 3);
      assert.equal(outcomes[1]?.status, "conflict", "the member that exists");
      const stored = await store.read(s.key("1"));
      assert.deepEqual([stored?.version, stored?.fields.epoch], [existing, "7"]);
      for (const i of [0, 2]) {
        const outcome = outcomes[i];
        const record = await store.read(s.key(String(i)));
        if (outcome?.status === "written") assert.equal(record?.version, outcome.version, `member ${i}`);
        else assert.equal(record, undefined, `member ${i} (${outcome?.status}) was not created`);
      }
    });
  });
}
