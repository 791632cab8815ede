import type { LeaseMarker, Leaser } from "@eph/core";
import { describe, expect, it } from "vitest";
import { expectEphError, expectNoSecrets } from "./error-assertions.js";
import type { LeaserFixtureFactory } from "./fixture.js";
import { defaultScope, neighbourScopes } from "./host-info.js";
import { type ConformanceOptions, resolveOptions } from "./options.js";
import { withSession } from "./session.js";

/** The only properties a returned lease may carry: nothing in it may help a reader take a lease. */
const leaseKeys = ["epoch", "owner", "partitionId", "version"];

/** A lease reduced to the four contract fields, so results compare with `toEqual`. */
function plain(lease: LeaseMarker): LeaseMarker {
  return { partitionId: lease.partitionId, epoch: lease.epoch, owner: lease.owner, version: lease.version };
}

/** Leases as plain values, in partition order, so listings compare regardless of store order. */
function sorted(leases: readonly LeaseMarker[]): LeaseMarker[] {
  return leases.map(plain).sort((a, b) => a.partitionId.localeCompare(b.partitionId, "en", { numeric: true }));
}

/** The stored lease of `partitionId` as `observer` lists it, or `undefined`. */
async function leaseOf(observer: Leaser, partitionId: string): Promise<LeaseMarker | undefined> {
  const found = (await observer.getLeases()).find((lease) => lease.partitionId === partitionId);
  return found && plain(found);
}

/** Checks the shape of a returned lease: the four fields, correctly typed, nothing else. */
function expectWellFormed(lease: LeaseMarker, what: string): void {
  for (const key of Object.keys(lease)) expect(leaseKeys, `${what}: unexpected property "${key}"`).toContain(key);
  expect(typeof lease.partitionId, `${what}: partitionId`).toBe("string");
  expect(Number.isSafeInteger(lease.epoch) && lease.epoch >= 0, `${what}: epoch ${lease.epoch}`).toBe(true);
  expect(typeof lease.owner, `${what}: owner`).toBe("string");
  expect(typeof lease.version === "string" && lease.version.length > 0, `${what}: version`).toBe(true);
}

/**
 * Registers the Leaser contract tests for an adapter. Call it at the top level of a test file:
 *
 * ```ts
 * import { describeLeaserConformance } from "@eph/conformance";
 * describeLeaserConformance("MyLeaser", async () => myFixture());
 * ```
 *
 * Every test gets its own fixture from `factory` and tears it down afterwards.
 */
export function describeLeaserConformance(
  adapterName: string,
  factory: LeaserFixtureFactory,
  options?: ConformanceOptions,
): void {
  const { timeout, concurrency } = resolveOptions(options);
  const test = (name: string, body: Parameters<typeof withSession<Leaser>>[1]) =>
    it(name, () => withSession(factory, body), timeout);

  describe(`${adapterName}: Leaser conformance`, () => {
    describe("configuration", () => {
      test("rejects every record operation with NotConfigured before setEventProcessorHost", async (s) => {
        await s.host("host-a").ensureStore();
        const leaser = s.unconfigured();
        await expectEphError(leaser.getLeases(), "NotConfigured", "getLeases");
        await expectEphError(leaser.ensureLease("0"), "NotConfigured", "ensureLease");
        await expectEphError(leaser.acquireLease("0"), "NotConfigured", "acquireLease");
        await expectEphError(leaser.renewLease("0"), "NotConfigured", "renewLease");
        await expectEphError(leaser.updateLease("0"), "NotConfigured", "updateLease");
        await expectEphError(leaser.releaseLease("0"), "NotConfigured", "releaseLease");
        await expectEphError(leaser.deleteLease("0"), "NotConfigured", "deleteLease");
      });
    });

    describe("store provisioning", () => {
      test("ensureStore creates the store and is idempotent", async (s) => {
        const leaser = s.host("host-a");
        await leaser.ensureStore();
        await leaser.ensureStore();
        expect(await leaser.storeExists()).toBe(true);
        expect(await leaser.getLeases()).toEqual([]);
      });

      test("ensureStore is safe when many hosts call it at once", async (s) => {
        const leasers = s.hosts(concurrency);
        await Promise.all(leasers.map((leaser) => leaser.ensureStore()));
        for (const leaser of leasers) expect(await leaser.storeExists()).toBe(true);
        await leasers[0]!.ensureLease("0");
        expect(await leasers[1]!.getLeases()).toHaveLength(1);
      });

      test("deleteStore removes the store and its leases; deleting again is harmless", async (s) => {
        const leaser = s.host("host-a");
        await leaser.ensureStore();
        await leaser.ensureLease("0");
        await leaser.deleteStore();
        expect(await leaser.storeExists()).toBe(false);
        await expectEphError(leaser.getLeases(), "StoreNotFound", "getLeases after deleteStore");
        await leaser.deleteStore();
        await leaser.ensureStore();
        expect(await leaser.getLeases(), "a recreated store is empty").toEqual([]);
      });

      test("calls on a store deleted out of band reject StoreNotFound", async (s) => {
        const leaser = s.host("host-a");
        await leaser.ensureStore();
        await leaser.ensureLease("0");
        await leaser.acquireLease("0");
        await s.fixture.deleteStoreOutOfBand();
        expect(await leaser.storeExists()).toBe(false);
        await expectEphError(leaser.getLeases(), "StoreNotFound", "getLeases");
        await expectEphError(leaser.ensureLease("1"), "StoreNotFound", "ensureLease");
        await expectEphError(s.host("host-b").acquireLease("0"), "StoreNotFound", "acquireLease");
        await expectEphError(leaser.renewLease("0"), "StoreNotFound", "renewLease of a held lease");
        await expectEphError(leaser.updateLease("0"), "StoreNotFound", "updateLease of a held lease");
        await expectEphError(leaser.releaseLease("0"), "StoreNotFound", "releaseLease of a held lease");
      });
    });

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

    describe("renewLease and updateLease", () => {
      test("renewLease changes the version and keeps owner and epoch, again and again", async (s) => {
        const a = s.host("host-a");
        await a.ensureStore();
        await a.ensureLease("0");
        const acquired = await a.acquireLease("0");
        const versions = [acquired.version];
        for (let k = 0; k < 3; k++) {
          const renewed = await a.renewLease("0");
          expectWellFormed(renewed, "renewLease");
          expect(renewed).toMatchObject({ partitionId: "0", owner: "host-a", epoch: 1 });
          versions.push(renewed.version);
          expect(await leaseOf(s.host(`observer-${k}`), "0")).toEqual(plain(renewed));
        }
        expect(new Set(versions).size).toBe(versions.length);
      });

      test("updateLease changes the version and keeps owner and epoch", async (s) => {
        const a = s.host("host-a");
        await a.ensureStore();
        await a.ensureLease("0");
        const acquired = await a.acquireLease("0");
        const updated = await a.updateLease("0");
        expectWellFormed(updated, "updateLease");
        expect(updated).toMatchObject({ partitionId: "0", owner: "host-a", epoch: 1 });
        expect(updated.version).not.toBe(acquired.version);
        expect(await leaseOf(s.host("observer"), "0")).toEqual(plain(updated));
        expect((await a.renewLease("0")).version).not.toBe(updated.version);
      });

      test("renew, update and release of a lease this leaser never held reject LeaseLost", async (s) => {
        const a = s.host("host-a");
        const b = s.host("host-b");
        await a.ensureStore();
        await a.ensureLease("0");
        await expectEphError(b.renewLease("0"), "LeaseLost", "renewLease of an unowned lease");
        await expectEphError(b.updateLease("0"), "LeaseLost", "updateLease of an unowned lease");
        await expectEphError(b.releaseLease("0"), "LeaseLost", "releaseLease of an unowned lease");
        const acquired = await a.acquireLease("0");
        await expectEphError(b.renewLease("0"), "LeaseLost", "renewLease of another host's lease");
        await expectEphError(b.updateLease("0"), "LeaseLost", "updateLease of another host's lease");
        await expectEphError(b.releaseLease("0"), "LeaseLost", "releaseLease of another host's lease");
        expect(await leaseOf(b, "0"), "the owner's lease is untouched").toEqual(plain(acquired));
      });

      test("renewing a lease whose record was deleted rejects LeaseLost or LeaseNotFound", async (s) => {
        const a = s.host("host-a");
        await a.ensureStore();
        await a.ensureLease("0");
        await a.acquireLease("0");
        await s.host("admin").deleteLease("0");
        await expectEphError(a.renewLease("0"), ["LeaseLost", "LeaseNotFound"], "renewLease of a deleted lease");
        expect(await a.getLeases(), "renewing did not recreate it").toEqual([]);
      });
    });

    describe("releaseLease", () => {
      test("makes the lease unowned, keeps the epoch and ends this leaser's hold", async (s) => {
        const a = s.host("host-a");
        await a.ensureStore();
        await a.ensureLease("0");
        const acquired = await a.acquireLease("0");
        await a.releaseLease("0");
        const released = await leaseOf(s.host("observer"), "0");
        expect(released).toMatchObject({ partitionId: "0", owner: "", epoch: 1 });
        expect(released?.version).not.toBe(acquired.version);
        await expectEphError(a.renewLease("0"), "LeaseLost", "renewLease after release");
        await expectEphError(a.releaseLease("0"), "LeaseLost", "second releaseLease");
        expect(await leaseOf(a, "0"), "failed calls changed nothing").toEqual(released);
      });

      test("re-acquiring a released lease increments the epoch", async (s) => {
        const a = s.host("host-a");
        const b = s.host("host-b");
        await a.ensureStore();
        await a.ensureLease("0");
        expect((await a.acquireLease("0")).epoch).toBe(1);
        await a.releaseLease("0");
        expect(await b.acquireLease("0")).toMatchObject({ owner: "host-b", epoch: 2 });
        await b.releaseLease("0");
        expect(await a.acquireLease("0")).toMatchObject({ owner: "host-a", epoch: 3 });
      });
    });

    describe("deleteLease", () => {
      test("deletes the record and is idempotent", async (s) => {
        const a = s.host("host-a");
        await a.ensureStore();
        await a.ensureLease("0");
        const one = await a.ensureLease("1");
        await a.deleteLease("0");
        expect(sorted(await s.host("observer").getLeases())).toEqual([plain(one)]);
        await a.deleteLease("0");
        await a.deleteLease("7");
        expect(sorted(await a.getLeases())).toEqual([plain(one)]);
        expect(await a.ensureLease("0"), "ensureLease recreates it").toMatchObject({ owner: "", epoch: 0 });
      });
    });

    describe("corrupt records", () => {
      test("getLeases skips a record it cannot parse and lists the others", async (s) => {
        const a = s.host("host-a");
        await a.ensureStore();
        const leases = await Promise.all([a.ensureLease("0"), a.ensureLease("1")]);
        await s.fixture.writeCorruptRecord(s.info("host-a"), "27");
        expect(sorted(await a.getLeases())).toEqual(sorted(leases));
      });

      test("calls on a corrupt record reject CorruptRecord naming the partition", async (s) => {
        const a = s.host("host-a");
        await a.ensureStore();
        await s.fixture.writeCorruptRecord(s.info("host-a"), "27");
        const errors = [
          await expectEphError(a.ensureLease("27"), "CorruptRecord", "ensureLease"),
          await expectEphError(s.host("host-b").acquireLease("27"), "CorruptRecord", "acquireLease"),
        ];
        for (const error of errors) expect(error.message).toContain("27");
      });

      test("a lease that was overwritten with garbage is lost to its holder and can be listed around", async (s) => {
        const a = s.host("host-a");
        await a.ensureStore();
        await a.ensureLease("27");
        await a.acquireLease("27");
        await s.fixture.writeCorruptRecord(s.info("host-a"), "27");
        expect(await a.getLeases()).toEqual([]);
        await expectEphError(a.renewLease("27"), ["LeaseLost", "CorruptRecord"], "renewLease");
      });

      test("a corrupt record can be deleted and then ensured afresh", async (s) => {
        const a = s.host("host-a");
        await a.ensureStore();
        await s.fixture.writeCorruptRecord(s.info("host-a"), "27");
        await a.deleteLease("27");
        expect(await a.ensureLease("27")).toMatchObject({ partitionId: "27", owner: "", epoch: 0 });
      });
    });

    describe("cancellation", () => {
      test("every call with an aborted signal rejects Aborted and changes nothing", async (s) => {
        const a = s.host("host-a");
        const b = s.host("host-b");
        await a.ensureStore();
        await a.ensureLease("0");
        const held = await a.acquireLease("0");
        const abortSignal = AbortSignal.abort();
        const o = { abortSignal };
        await expectEphError(a.storeExists(o), "Aborted", "storeExists");
        await expectEphError(a.ensureStore(o), "Aborted", "ensureStore");
        await expectEphError(a.getLeases(o), "Aborted", "getLeases");
        await expectEphError(a.ensureLease("1", o), "Aborted", "ensureLease");
        await expectEphError(b.acquireLease("0", o), "Aborted", "acquireLease");
        await expectEphError(b.acquireLease("0", { abortSignal, expectedVersion: held.version }), "Aborted", "acquire");
        await expectEphError(a.renewLease("0", o), "Aborted", "renewLease");
        await expectEphError(a.updateLease("0", o), "Aborted", "updateLease");
        await expectEphError(a.releaseLease("0", o), "Aborted", "releaseLease");
        await expectEphError(a.deleteLease("0", o), "Aborted", "deleteLease");
        await expectEphError(a.deleteStore(o), "Aborted", "deleteStore");
        expect(await a.storeExists()).toBe(true);
        expect(sorted(await b.getLeases())).toEqual([plain(held)]);
        expect(await a.renewLease("0"), "host-a still holds the lease").toMatchObject({ owner: "host-a", epoch: 1 });
      });
    });

    describe("results and errors", () => {
      test("returned leases are copies: changing one does not change the store", async (s) => {
        const a = s.host("host-a");
        await a.ensureStore();
        await a.ensureLease("0");
        const acquired = await a.acquireLease("0");
        const snapshot = plain(acquired);
        const listed = (await a.getLeases())[0]!;
        for (const lease of [acquired, listed]) {
          try {
            Object.assign(lease, { owner: "intruder", epoch: 99, version: "forged" });
          } catch {
            // Frozen results are fine too.
          }
        }
        expect(await leaseOf(s.host("observer"), "0")).toEqual(snapshot);
        expect(await a.renewLease("0")).toMatchObject({ owner: "host-a", epoch: 1 });
      });

      test("errors carry a code and a message, and nothing exposes the fixture's secrets", async (s) => {
        const a = s.host("host-a");
        const b = s.host("host-b");
        await a.ensureStore();
        const results: unknown[] = [await a.ensureLease("0"), await a.acquireLease("0"), await a.getLeases()];
        await s.fixture.writeCorruptRecord(s.info("host-a"), "27");
        const errors: unknown[] = [
          await expectEphError(b.renewLease("0"), "LeaseLost", "renewLease of another host's lease"),
          await expectEphError(b.acquireLease("0", { expectedVersion: "stale" }), "LeaseLost", "stale acquire"),
          await expectEphError(b.acquireLease("27"), "CorruptRecord", "acquireLease of a corrupt record"),
          await expectEphError(s.unconfigured().getLeases(), "NotConfigured", "unconfigured getLeases"),
        ];
        results.push(await a.getLeases());
        await s.fixture.deleteStoreOutOfBand();
        errors.push(await expectEphError(a.getLeases(), "StoreNotFound", "getLeases of a missing store"));
        errors.push(await expectEphError(a.renewLease("0"), "StoreNotFound", "renewLease in a missing store"));
        expectNoSecrets(s.fixture.secrets, [...results, ...errors], "leaser");
      });
    });

    describe("close", () => {
      test("keeps the leases; a closed leaser rejects further calls with Closed", async (s) => {
        const a = s.host("host-a");
        await a.ensureStore();
        await a.ensureLease("0");
        const acquired = await a.acquireLease("0");
        await a.close();
        await a.close();
        expect(await leaseOf(s.host("observer"), "0"), "close does not release").toEqual(plain(acquired));
        await expectEphError(a.renewLease("0"), "Closed", "renewLease after close");
        await expectEphError(a.getLeases(), "Closed", "getLeases after close");
      });
    });
  });
}
