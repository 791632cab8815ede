import type { Leaser } from "@eph/core";
import { expectEphError } from "../error-assertions.js";
import { expect } from "../expect.js";
import type { SuiteContext } from "../suite-context.js";
import { expectWellFormed, leaseOf, plain } from "./helpers.js";

/** acquireLease and stealing. */
export function acquireTests({ test, describe, concurrency }: SuiteContext<Leaser>): void {
  describe("acquireLease", () => {
    test("takes an unowned lease: owner becomes this host, epoch increments, version changes", async (s) => {
      const a = s.host("host-a");
      await a.ensureStore();
      const ensured = await a.ensureLease("0");
      const acquired = await a.acquireLease("0");
      expectWellFormed(acquired, "acquireLease");
      expect(acquired).toMatchObject({ partitionId: "0", owner: "host-a", epoch: 1 });
      expect(acquired.version).not.toBe(ensured.version);
      expect(await leaseOf(s.host("observer"), "0")).toEqual(plain(acquired));
    });

    test("exactly one of many concurrent acquirers wins; the others get LeaseLost", async (s) => {
      const racers = s.hosts(concurrency);
      await racers[0]!.ensureStore();
      const { version } = await racers[0]!.ensureLease("0");
      const outcomes = await Promise.allSettled(
        racers.map((racer) => racer.acquireLease("0", { expectedVersion: version })),
      );
      const winners = outcomes.flatMap((o, i) => (o.status === "fulfilled" ? [{ i, lease: o.value }] : []));
      expect(winners, "exactly one winner").toHaveLength(1);
      const winner = winners[0]!;
      expect(winner.lease).toMatchObject({ owner: `racer-${winner.i}`, epoch: 1 });
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome.status === "rejected") {
          await expectEphError(Promise.reject(outcome.reason), "LeaseLost", `racer-${i}`);
        }
      }
      expect(await leaseOf(s.host("observer"), "0")).toEqual(plain(winner.lease));
      // Only the winner holds it.
      await racers[winner.i]!.renewLease("0");
      const loser = racers[(winner.i + 1) % racers.length]!;
      await expectEphError(loser.renewLease("0"), "LeaseLost", "a loser's renewLease");
    });

    test("racers that read the lease themselves never share an epoch", async (s) => {
      const racers = s.hosts(concurrency);
      await racers[0]!.ensureStore();
      await racers[0]!.ensureLease("0");
      const outcomes = await Promise.allSettled(racers.map((racer) => racer.acquireLease("0")));
      const epochs: number[] = [];
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome.status === "fulfilled") epochs.push(outcome.value.epoch);
        else await expectEphError(Promise.reject(outcome.reason), "LeaseLost", `racer-${i}`);
      }
      expect(epochs.length, "at least one racer wins").toBeGreaterThan(0);
      expect(new Set(epochs).size, `winning epochs ${epochs.join(", ")}`).toBe(epochs.length);
      // Each successful acquisition adds exactly one to the epoch.
      expect(epochs.slice().sort((x, y) => x - y)).toEqual(epochs.map((_, k) => k + 1));
      const final = await leaseOf(s.host("observer"), "0");
      expect(final?.epoch).toBe(epochs.length);
    });

    test("epochs strictly increase over a sequence of acquisitions by different hosts", async (s) => {
      const hosts = [s.host("host-a"), s.host("host-b"), s.host("host-c")];
      await hosts[0]!.ensureStore();
      await hosts[0]!.ensureLease("0");
      for (let k = 0; k < 6; k++) {
        const acquired = await hosts[k % 3]!.acquireLease("0");
        expect(acquired, `acquisition ${k + 1}`).toMatchObject({ owner: `host-${"abc"[k % 3]}`, epoch: k + 1 });
      }
    });

    test("a stale or unknown expectedVersion rejects LeaseLost and changes nothing", async (s) => {
      const a = s.host("host-a");
      const b = s.host("host-b");
      await a.ensureStore();
      const ensured = await a.ensureLease("0");
      const acquired = await a.acquireLease("0", { expectedVersion: ensured.version });
      await expectEphError(b.acquireLease("0", { expectedVersion: ensured.version }), "LeaseLost", "stale version");
      await expectEphError(b.acquireLease("0", { expectedVersion: "no-such-version" }), "LeaseLost", "unknown");
      expect(await leaseOf(b, "0")).toEqual(plain(acquired));
      await a.renewLease("0");
    });

    test("acquiring a lease that does not exist rejects LeaseNotFound or LeaseLost", async (s) => {
      const a = s.host("host-a");
      await a.ensureStore();
      await expectEphError(a.acquireLease("5"), ["LeaseNotFound", "LeaseLost"], "acquireLease of a missing lease");
      expect(await a.getLeases(), "nothing was created").toEqual([]);
    });
  });
  describe("stealing", () => {
    test("a lease owned by another host is taken with its current version; the old owner loses it", async (s) => {
      const a = s.host("host-a");
      const b = s.host("host-b");
      await a.ensureStore();
      await a.ensureLease("0");
      await a.acquireLease("0");
      const seen = await leaseOf(b, "0");
      const stolen = await b.acquireLease("0", { expectedVersion: seen!.version });
      expect(stolen).toMatchObject({ owner: "host-b", epoch: 2 });
      await expectEphError(a.renewLease("0"), "LeaseLost", "old owner's renewLease");
      await expectEphError(a.updateLease("0"), "LeaseLost", "old owner's updateLease");
      await expectEphError(a.releaseLease("0"), "LeaseLost", "old owner's releaseLease");
      expect(await leaseOf(b, "0"), "the thief still holds it").toEqual(plain(stolen));
      expect(await b.renewLease("0")).toMatchObject({ owner: "host-b", epoch: 2 });
    });

    test("the old owner cannot renew a stolen lease even after listing it", async (s) => {
      const a = s.host("host-a");
      const b = s.host("host-b");
      await a.ensureStore();
      await a.ensureLease("0");
      await a.acquireLease("0");
      const stolen = await b.acquireLease("0");
      await a.getLeases();
      await a.ensureLease("0");
      await expectEphError(a.renewLease("0"), "LeaseLost", "renewLease after getLeases");
      expect(await leaseOf(b, "0")).toEqual(plain(stolen));
    });
  });
}
