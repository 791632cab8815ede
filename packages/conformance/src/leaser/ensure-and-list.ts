import type { LeaseMarker, Leaser } from "@eph/core";
import { expect } from "../expect.js";
import { defaultScope, neighbourScopes } from "../host-info.js";
import type { SuiteContext } from "../suite-context.js";
import { expectWellFormed, leaseOf, plain, sorted } from "./helpers.js";

/** ensureLease and getLeases. */
export function ensureAndListTests({ test, describe, concurrency }: SuiteContext<Leaser>): void {
  describe("ensureLease", () => {
    test("creates an unowned lease at epoch 0 and returns the same record when called again", async (s) => {
      const leaser = s.host("host-a");
      await leaser.ensureStore();
      const created = await leaser.ensureLease("0");
      expectWellFormed(created, "ensureLease");
      expect(plain(created)).toEqual({ partitionId: "0", epoch: 0, owner: "", version: created.version });
      expect(plain(await leaser.ensureLease("0")), "second ensureLease").toEqual(plain(created));
      expect(await leaser.getLeases()).toHaveLength(1);
    });

    test("returns an owned lease as it is, without resetting owner or epoch", async (s) => {
      const a = s.host("host-a");
      await a.ensureStore();
      await a.ensureLease("0");
      const acquired = await a.acquireLease("0");
      const ensured = await s.host("host-b").ensureLease("0");
      expect(plain(ensured)).toEqual(plain(acquired));
      await a.renewLease("0");
    });

    test("creates one record when many hosts ensure the same lease at once", async (s) => {
      const leasers = s.hosts(concurrency);
      await leasers[0]!.ensureStore();
      const results = await Promise.all(leasers.map((leaser) => leaser.ensureLease("0")));
      const first = plain(results[0]!);
      expect(first).toMatchObject({ partitionId: "0", epoch: 0, owner: "" });
      for (const result of results) expect(plain(result), "every caller sees the one record").toEqual(first);
      expect(await leasers[0]!.getLeases()).toEqual([first]);
    });
  });
  describe("getLeases", () => {
    test("lists every lease of the hub and consumer group with owner, epoch and version", async (s) => {
      const a = s.host("host-a");
      await a.ensureStore();
      expect(await a.getLeases(), "no lease yet").toEqual([]);
      const ensured = await Promise.all(["0", "1", "2", "3"].map((pid) => a.ensureLease(pid)));
      const acquired = await a.acquireLease("1");
      const listed = sorted(await s.host("host-b").getLeases());
      expect(listed).toEqual(sorted([ensured[0]!, acquired, ensured[2]!, ensured[3]!]));
      for (const lease of listed) expectWellFormed(lease, `getLeases item ${lease.partitionId}`);
    });

    test("keeps namespaces, hubs and consumer groups that share one store apart", async (s) => {
      const [first] = neighbourScopes;
      await s.host("setup", first).ensureStore();
      const expected: LeaseMarker[][] = [];
      for (const [i, scope] of neighbourScopes.entries()) {
        const leaser = s.host(`host-${i}`, scope);
        // Partition "0" exists in every scope; partition `10 + i` only in scope i.
        await leaser.ensureLease("0");
        const own = await leaser.ensureLease(String(10 + i));
        // Scope i's lease "0" is acquired i + 1 times, so its epoch tells the scopes apart.
        let zero = await leaser.acquireLease("0");
        for (let k = 0; k < i; k++) zero = await leaser.acquireLease("0");
        expected.push(sorted([zero, own]));
      }
      for (const [i, scope] of neighbourScopes.entries()) {
        const listed = sorted(await s.host(`observer-${i}`, scope).getLeases());
        expect(listed, `leases of scope ${JSON.stringify(scope)}`).toEqual(expected[i]);
        expect(listed[0]).toMatchObject({ owner: `host-${i}`, epoch: i + 1 });
      }
      await s.host("deleter", neighbourScopes[1]).deleteLease("0");
      expect(sorted(await s.host("observer", first).getLeases()), "a delete in one scope").toEqual(expected[0]);
      expect(await s.host("other", defaultScope).getLeases(), "an unused scope").toEqual([]);
    });

    test("a lease's version stays the same until it is written, and every write changes it", async (s) => {
      // Observers judge expiry by how long a version stays unchanged on their own clock.
      const a = s.host("host-a");
      const observer = s.host("observer");
      await a.ensureStore();
      const ensured = await a.ensureLease("0");
      expect((await leaseOf(observer, "0"))?.version).toBe(ensured.version);
      const acquired = await a.acquireLease("0");
      const seen = await leaseOf(observer, "0");
      expect(seen?.version).toBe(acquired.version);
      expect((await leaseOf(s.host("observer-2"), "0"))?.version, "a second reader").toBe(seen?.version);
      const renewed = await a.renewLease("0");
      const updated = await a.updateLease("0");
      await a.releaseLease("0");
      const released = await leaseOf(observer, "0");
      const versions = [ensured.version, acquired.version, renewed.version, updated.version, released?.version];
      expect(new Set(versions).size, `versions ${versions.join(", ")}`).toBe(versions.length);
    });
  });
}
