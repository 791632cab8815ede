import type { Checkpoint, Checkpointer } from "@eph/core";
import { describe, expect, it } from "vitest";
import { expectEphError, expectNoSecrets } from "./error-assertions.js";
import type { CheckpointerFixtureFactory } from "./fixture.js";
import { neighbourScopes } from "./host-info.js";
import { type ConformanceOptions, resolveOptions } from "./options.js";
import { withSession } from "./session.js";

/** A fixed instant with milliseconds, so a store that drops them is caught. */
const baseTime = Date.UTC(2024, 0, 2, 3, 4, 5, 678);

/** A checkpoint at `sequenceNumber`, with an offset and time derived from it (or tagged by `tag`). */
function position(sequenceNumber: number, tag = ""): Checkpoint {
  return {
    offset: `${sequenceNumber * 100}${tag}`,
    sequenceNumber,
    enqueuedTime: new Date(baseTime + sequenceNumber),
  };
}

/** A checkpoint as comparable plain data. */
function plain(
  checkpoint: Checkpoint | undefined,
): { offset: string; sequenceNumber: number; time: number } | undefined {
  if (checkpoint === undefined) return undefined;
  expect(checkpoint.enqueuedTime, "enqueuedTime is a Date").toBeInstanceOf(Date);
  return {
    offset: checkpoint.offset,
    sequenceNumber: checkpoint.sequenceNumber,
    time: checkpoint.enqueuedTime.getTime(),
  };
}

/**
 * Registers the Checkpointer contract tests for an adapter. Call it at the top level of a test file:
 *
 * ```ts
 * import { describeCheckpointerConformance } from "@eph/conformance";
 * describeCheckpointerConformance("MyCheckpointer", async () => myFixture());
 * ```
 *
 * Every test gets its own fixture from `factory` and tears it down afterwards.
 */
export function describeCheckpointerConformance(
  adapterName: string,
  factory: CheckpointerFixtureFactory,
  options?: ConformanceOptions,
): void {
  const { timeout, concurrency } = resolveOptions(options);
  const test = (name: string, body: Parameters<typeof withSession<Checkpointer>>[1]) =>
    it(name, () => withSession(factory, body), timeout);

  describe(`${adapterName}: Checkpointer conformance`, () => {
    describe("configuration", () => {
      test("rejects every record operation with NotConfigured before setEventProcessorHost", async (s) => {
        await s.host("host-a").ensureStore();
        const checkpointer = s.unconfigured();
        await expectEphError(checkpointer.getCheckpoint("0"), "NotConfigured", "getCheckpoint");
        await expectEphError(checkpointer.ensureCheckpoint("0"), "NotConfigured", "ensureCheckpoint");
        await expectEphError(
          checkpointer.updateCheckpoint("0", position(1), { epoch: 1 }),
          "NotConfigured",
          "updateCheckpoint",
        );
        await expectEphError(checkpointer.deleteCheckpoint("0"), "NotConfigured", "deleteCheckpoint");
      });
    });

    describe("store provisioning", () => {
      test("ensureStore creates the store, is idempotent and is safe when many hosts call it at once", async (s) => {
        const checkpointers = s.hosts(concurrency);
        await Promise.all(checkpointers.map((c) => c.ensureStore()));
        await checkpointers[0]!.ensureStore();
        for (const c of checkpointers) expect(await c.storeExists()).toBe(true);
        expect(await checkpointers[1]!.getCheckpoint("0")).toBeUndefined();
      });

      test("deleteStore removes the store and its checkpoints; deleting again is harmless", async (s) => {
        const c = s.host("host-a");
        await c.ensureStore();
        await c.ensureCheckpoint("0", { epoch: 1 });
        await c.updateCheckpoint("0", position(5), { epoch: 1 });
        await c.deleteStore();
        expect(await c.storeExists()).toBe(false);
        await expectEphError(c.getCheckpoint("0"), "StoreNotFound", "getCheckpoint after deleteStore");
        await c.deleteStore();
        await c.ensureStore();
        expect(await c.getCheckpoint("0"), "a recreated store is empty").toBeUndefined();
      });

      test("calls on a store deleted out of band reject StoreNotFound", async (s) => {
        const c = s.host("host-a");
        await c.ensureStore();
        await c.ensureCheckpoint("0", { epoch: 1 });
        await c.updateCheckpoint("0", position(5), { epoch: 1 });
        await s.fixture.deleteStoreOutOfBand();
        expect(await c.storeExists()).toBe(false);
        await expectEphError(c.getCheckpoint("0"), "StoreNotFound", "getCheckpoint");
        await expectEphError(c.ensureCheckpoint("1", { epoch: 1 }), "StoreNotFound", "ensureCheckpoint");
        await expectEphError(
          c.updateCheckpoint("0", position(6), { epoch: 1 }),
          "StoreNotFound",
          "updateCheckpoint after an own write",
        );
        await expectEphError(
          s.host("host-b").updateCheckpoint("0", position(6), { epoch: 1 }),
          "StoreNotFound",
          "updateCheckpoint",
        );
      });
    });

    describe("getCheckpoint and ensureCheckpoint", () => {
      test("getCheckpoint of a partition without a record resolves undefined", async (s) => {
        const c = s.host("host-a");
        await c.ensureStore();
        expect(await c.getCheckpoint("0")).toBeUndefined();
      });

      test("ensureCheckpoint creates a record without a position and is idempotent", async (s) => {
        const c = s.host("host-a");
        await c.ensureStore();
        expect(await c.ensureCheckpoint("0")).toBeUndefined();
        expect(await c.ensureCheckpoint("0")).toBeUndefined();
        expect(await c.ensureCheckpoint("0", { epoch: 3 })).toBeUndefined();
        expect(await s.host("host-b").getCheckpoint("0")).toBeUndefined();
      });

      test("ensureCheckpoint returns the stored position and leaves it as it is", async (s) => {
        const c = s.host("host-a");
        await c.ensureStore();
        await c.ensureCheckpoint("0", { epoch: 1 });
        await c.updateCheckpoint("0", position(7), { epoch: 1 });
        const other = s.host("host-b");
        expect(plain(await other.ensureCheckpoint("0", { epoch: 2 }))).toEqual(plain(position(7)));
        expect(plain(await other.ensureCheckpoint("0"))).toEqual(plain(position(7)));
        expect(plain(await c.getCheckpoint("0"))).toEqual(plain(position(7)));
      });

      test("many hosts ensuring one checkpoint at once end with one record at the highest epoch", async (s) => {
        const checkpointers = s.hosts(concurrency);
        await checkpointers[0]!.ensureStore();
        const results = await Promise.all(checkpointers.map((c, i) => c.ensureCheckpoint("0", { epoch: i + 1 })));
        for (const result of results) expect(result).toBeUndefined();
        await expectEphError(
          checkpointers[0]!.updateCheckpoint("0", position(1), { epoch: concurrency - 1 }),
          "CheckpointFenced",
          "a write below the highest ensured epoch",
        );
        await checkpointers[0]!.updateCheckpoint("0", position(1), { epoch: concurrency });
        expect(plain(await checkpointers[1]!.getCheckpoint("0"))).toEqual(plain(position(1)));
      });
    });

    describe("updateCheckpoint", () => {
      test("a stored position reads back exactly, from any host", async (s) => {
        const c = s.host("host-a");
        await c.ensureStore();
        const big: Checkpoint = {
          offset: "123456789012345",
          sequenceNumber: 2 ** 40 + 3,
          enqueuedTime: new Date(baseTime),
        };
        const zero: Checkpoint = { offset: "0", sequenceNumber: 0, enqueuedTime: new Date(baseTime - 1) };
        await c.ensureCheckpoint("0", { epoch: 1 });
        await c.ensureCheckpoint("1", { epoch: 1 });
        await c.updateCheckpoint("0", big, { epoch: 1 });
        await c.updateCheckpoint("1", zero, { epoch: 1 });
        const reader = s.host("host-b");
        const read = await reader.getCheckpoint("0");
        expect(plain(read)).toEqual(plain(big));
        expect(Object.keys(read!).sort(), "a checkpoint holds offset, sequenceNumber and enqueuedTime only").toEqual([
          "enqueuedTime",
          "offset",
          "sequenceNumber",
        ]);
        expect(plain(await reader.getCheckpoint("1"))).toEqual(plain(zero));
        expect(plain(await reader.ensureCheckpoint("0"))).toEqual(plain(big));
      });

      test("successive writes move the position forward", async (s) => {
        const c = s.host("host-a");
        await c.ensureStore();
        await c.ensureCheckpoint("0", { epoch: 1 });
        for (const seq of [1, 2, 10, 11]) {
          await c.updateCheckpoint("0", position(seq), { epoch: 1 });
          expect(plain(await s.host(`reader-${seq}`).getCheckpoint("0"))).toEqual(plain(position(seq)));
        }
      });
    });

    describe("fencing", () => {
      test("a write below the fence is refused, at the fence accepted, above it raises the fence", async (s) => {
        const c = s.host("host-a");
        await c.ensureStore();
        await c.ensureCheckpoint("0", { epoch: 5 });
        await expectEphError(c.updateCheckpoint("0", position(1), { epoch: 4 }), "CheckpointFenced", "epoch 4 < 5");
        expect(await c.getCheckpoint("0"), "a refused write stores nothing").toBeUndefined();
        await c.updateCheckpoint("0", position(2), { epoch: 5 });
        await c.updateCheckpoint("0", position(3), { epoch: 6 });
        await expectEphError(c.updateCheckpoint("0", position(4), { epoch: 5 }), "CheckpointFenced", "epoch 5 < 6");
        expect(plain(await c.getCheckpoint("0"))).toEqual(plain(position(3)));
        await c.updateCheckpoint("0", position(4), { epoch: 6 });
      });

      test("getFence (optional) reports what ensureCheckpoint and updateCheckpoint raised, seen from another host", async (s) => {
        const c = s.host("host-a");
        if (!c.getFence) return; // Optional: hosts then wait their whole handoffTimeout instead.
        const other = s.host("host-b");
        await c.ensureStore();
        expect(await c.getFence("0"), "no record yet").toBe(0);
        await c.ensureCheckpoint("0");
        expect(await other.getFence?.("0"), "a record without an epoch").toBe(0);
        await c.ensureCheckpoint("0", { epoch: 4 });
        expect(await other.getFence?.("0")).toBe(4);
        await c.updateCheckpoint("0", position(1), { epoch: 6 });
        expect(await other.getFence?.("0"), "a write above the fence raises it").toBe(6);
        await other.ensureCheckpoint("0", { epoch: 5 });
        expect(await c.getFence("0"), "never lowered").toBe(6);
        await c.deleteCheckpoint("0");
        expect(await other.getFence?.("0"), "deleted").toBe(0);
      });

      test("ensureCheckpoint raises the fence but never lowers it", async (s) => {
        const c = s.host("host-a");
        await c.ensureStore();
        await c.ensureCheckpoint("0", { epoch: 5 });
        await c.ensureCheckpoint("0", { epoch: 3 });
        await c.ensureCheckpoint("0");
        await expectEphError(c.updateCheckpoint("0", position(1), { epoch: 4 }), "CheckpointFenced", "epoch 4 < 5");
        await c.updateCheckpoint("0", position(1), { epoch: 5 });
      });

      test("a writer is fenced as soon as another host raises the fence, whatever it cached", async (s) => {
        const old = s.host("host-a");
        const next = s.host("host-b");
        await old.ensureStore();
        await old.ensureCheckpoint("0", { epoch: 1 });
        await old.updateCheckpoint("0", position(10), { epoch: 1 });
        await next.ensureCheckpoint("0", { epoch: 2 });
        await expectEphError(old.updateCheckpoint("0", position(11), { epoch: 1 }), "CheckpointFenced", "deposed");
        expect(plain(await next.getCheckpoint("0"))).toEqual(plain(position(10)));
        await next.updateCheckpoint("0", position(11), { epoch: 2 });
        await expectEphError(old.updateCheckpoint("0", position(12), { epoch: 1 }), "CheckpointFenced", "again");
        expect(plain(await old.getCheckpoint("0"))).toEqual(plain(position(11)));
      });

      test("rewriting the stored position under a higher epoch raises the fence", async (s) => {
        const c = s.host("host-a");
        await c.ensureStore();
        await c.ensureCheckpoint("0", { epoch: 1 });
        await c.updateCheckpoint("0", position(10), { epoch: 1 });
        await s.host("host-b").updateCheckpoint("0", position(10), { epoch: 2 });
        await expectEphError(c.updateCheckpoint("0", position(11), { epoch: 1 }), "CheckpointFenced", "epoch 1 < 2");
        expect(plain(await c.getCheckpoint("0"))).toEqual(plain(position(10)));
      });

      test("a fenced write is reported as fenced even when it also moves backwards", async (s) => {
        const c = s.host("host-a");
        await c.ensureStore();
        await c.ensureCheckpoint("0", { epoch: 2 });
        await c.updateCheckpoint("0", position(10), { epoch: 2 });
        await expectEphError(c.updateCheckpoint("0", position(5), { epoch: 1 }), "CheckpointFenced", "stale and lower");
      });

      test("concurrent writers: a lower epoch's write never lands after a higher epoch's", async (s) => {
        // Several partitions race at once to give the store many chances to interleave.
        const partitions = ["0", "1", "2", "3"];
        const low = s.host("host-low");
        const high = s.host("host-high");
        await low.ensureStore();
        for (const pid of partitions) {
          await low.ensureCheckpoint(pid, { epoch: 1 });
          await low.updateCheckpoint(pid, position(1, "-low"), { epoch: 1 });
        }
        const rounds = 4;
        for (let round = 0; round < rounds; round++) {
          // The high writer's sequence numbers are above everything written before and the low
          // writer's of the same round, so its writes must all succeed.
          const lowSeq = 100 + 2 * round;
          const highSeq = lowSeq + 1;
          const outcomes = await Promise.all(
            partitions.map(async (pid) => {
              const [lowOutcome, highOutcome] = await Promise.allSettled([
                low.updateCheckpoint(pid, position(lowSeq, "-low"), { epoch: 1 }),
                high.updateCheckpoint(pid, position(highSeq, "-high"), { epoch: 2 }),
              ]);
              return { pid, lowOutcome, highOutcome };
            }),
          );
          for (const { pid, lowOutcome, highOutcome } of outcomes) {
            if (highOutcome.status === "rejected") throw highOutcome.reason;
            if (round > 0) {
              expect(lowOutcome.status, `round ${round}, partition ${pid}: the deposed writer`).toBe("rejected");
            }
            if (lowOutcome.status === "rejected") {
              await expectEphError(Promise.reject(lowOutcome.reason), "CheckpointFenced", `low writer on ${pid}`);
            }
            const stored = await s.host("reader").getCheckpoint(pid);
            expect(plain(stored), `round ${round}, partition ${pid}`).toEqual(plain(position(highSeq, "-high")));
          }
        }
      });
    });

    describe("regression", () => {
      test("a lower sequence number is refused, an equal one is an idempotent success", async (s) => {
        const c = s.host("host-a");
        await c.ensureStore();
        await c.ensureCheckpoint("0", { epoch: 1 });
        await c.updateCheckpoint("0", position(10), { epoch: 1 });
        await expectEphError(c.updateCheckpoint("0", position(9), { epoch: 1 }), "CheckpointRegressed", "9 < 10");
        expect(plain(await c.getCheckpoint("0"))).toEqual(plain(position(10)));
        await c.updateCheckpoint("0", position(10), { epoch: 1 });
        expect((await c.getCheckpoint("0"))?.sequenceNumber).toBe(10);
        await c.updateCheckpoint("0", position(11), { epoch: 1 });
        expect(plain(await c.getCheckpoint("0"))).toEqual(plain(position(11)));
      });

      test("the regression check sees other writers' positions", async (s) => {
        const a = s.host("host-a");
        const b = s.host("host-b");
        await a.ensureStore();
        await a.ensureCheckpoint("0", { epoch: 1 });
        await a.updateCheckpoint("0", position(10), { epoch: 1 });
        await b.updateCheckpoint("0", position(20), { epoch: 1 });
        await expectEphError(a.updateCheckpoint("0", position(15), { epoch: 1 }), "CheckpointRegressed", "15 < 20");
        expect(plain(await a.getCheckpoint("0"))).toEqual(plain(position(20)));
      });

      test("concurrent writers at one epoch leave the highest position stored", async (s) => {
        const writers = s.hosts(concurrency);
        await writers[0]!.ensureStore();
        await writers[0]!.ensureCheckpoint("0", { epoch: 1 });
        const outcomes = await Promise.allSettled(
          writers.map((w, i) => w.updateCheckpoint("0", position(i + 1), { epoch: 1 })),
        );
        expect(outcomes[concurrency - 1]!.status, "the highest position is never refused").toBe("fulfilled");
        for (const [i, outcome] of outcomes.entries()) {
          if (outcome.status === "rejected") {
            await expectEphError(Promise.reject(outcome.reason), "CheckpointRegressed", `writer ${i}`);
          }
        }
        expect(plain(await writers[0]!.getCheckpoint("0"))).toEqual(plain(position(concurrency)));
      });
    });

    describe("deleteCheckpoint", () => {
      test("deletes the record and is idempotent", async (s) => {
        const c = s.host("host-a");
        await c.ensureStore();
        await c.ensureCheckpoint("0", { epoch: 1 });
        await c.updateCheckpoint("0", position(4), { epoch: 1 });
        await c.ensureCheckpoint("1", { epoch: 1 });
        await c.updateCheckpoint("1", position(8), { epoch: 1 });
        await c.deleteCheckpoint("0");
        expect(await s.host("host-b").getCheckpoint("0")).toBeUndefined();
        expect(plain(await s.host("host-b").getCheckpoint("1")), "other partitions stay").toEqual(plain(position(8)));
        await c.deleteCheckpoint("0");
        await c.deleteCheckpoint("9");
        expect(await c.ensureCheckpoint("0", { epoch: 1 }), "ensure recreates it empty").toBeUndefined();
      });

      test("after another host deletes a checkpoint, a writer starts afresh whatever it wrote before", async (s) => {
        // Refusals are judged on the stored record, never on a copy the writer kept of its last write.
        const writer = s.host("host-a");
        await writer.ensureStore();
        await writer.ensureCheckpoint("0", { epoch: 3 });
        await writer.updateCheckpoint("0", position(50), { epoch: 3 });
        await s.host("admin").deleteCheckpoint("0");
        await writer.updateCheckpoint("0", position(5), { epoch: 3 });
        expect(plain(await s.host("host-b").getCheckpoint("0"))).toEqual(plain(position(5)));
      });
    });

    describe("scopes", () => {
      test("namespaces, hubs and consumer groups sharing one store keep separate checkpoints", async (s) => {
        await s.host("setup", neighbourScopes[0]).ensureStore();
        for (const [i, scope] of neighbourScopes.entries()) {
          const c = s.host(`host-${i}`, scope);
          await c.ensureCheckpoint("0", { epoch: 10 - i });
          await c.updateCheckpoint("0", position(100 + i), { epoch: 10 - i });
        }
        for (const [i, scope] of neighbourScopes.entries()) {
          const c = s.host(`reader-${i}`, scope);
          expect(plain(await c.getCheckpoint("0")), `scope ${JSON.stringify(scope)}`).toEqual(plain(position(100 + i)));
          // Each scope has its own fence: epoch 10 - i is accepted here though other scopes are higher.
          await c.updateCheckpoint("0", position(200 + i), { epoch: 10 - i });
        }
        await s.host("deleter", neighbourScopes[1]).deleteCheckpoint("0");
        expect(plain(await s.host("reader", neighbourScopes[0]).getCheckpoint("0"))).toEqual(plain(position(200)));
      });
    });

    describe("corrupt records", () => {
      test("calls on a corrupt record reject CorruptRecord naming the partition; delete clears it", async (s) => {
        const c = s.host("host-a");
        await c.ensureStore();
        await s.fixture.writeCorruptRecord(s.info("host-a"), "27");
        const errors = [
          await expectEphError(c.getCheckpoint("27"), "CorruptRecord", "getCheckpoint"),
          await expectEphError(c.ensureCheckpoint("27", { epoch: 1 }), "CorruptRecord", "ensureCheckpoint"),
          await expectEphError(
            c.updateCheckpoint("27", position(1), { epoch: 1 }),
            "CorruptRecord",
            "updateCheckpoint",
          ),
        ];
        for (const error of errors) expect(error.message).toContain("27");
        await c.deleteCheckpoint("27");
        expect(await c.ensureCheckpoint("27", { epoch: 1 })).toBeUndefined();
        await c.updateCheckpoint("27", position(1), { epoch: 1 });
        expect(plain(await c.getCheckpoint("27"))).toEqual(plain(position(1)));
      });

      test("a writer whose record was overwritten with garbage gets CorruptRecord, not a silent overwrite", async (s) => {
        const c = s.host("host-a");
        await c.ensureStore();
        await c.ensureCheckpoint("27", { epoch: 1 });
        await c.updateCheckpoint("27", position(1), { epoch: 1 });
        await s.fixture.writeCorruptRecord(s.info("host-a"), "27");
        await expectEphError(c.updateCheckpoint("27", position(2), { epoch: 1 }), "CorruptRecord", "cached writer");
      });
    });

    describe("cancellation", () => {
      test("every call with an aborted signal rejects Aborted and changes nothing", async (s) => {
        const c = s.host("host-a");
        await c.ensureStore();
        await c.ensureCheckpoint("0", { epoch: 1 });
        await c.updateCheckpoint("0", position(3), { epoch: 1 });
        const abortSignal = AbortSignal.abort();
        await expectEphError(c.storeExists({ abortSignal }), "Aborted", "storeExists");
        await expectEphError(c.ensureStore({ abortSignal }), "Aborted", "ensureStore");
        await expectEphError(c.getCheckpoint("0", { abortSignal }), "Aborted", "getCheckpoint");
        await expectEphError(c.ensureCheckpoint("1", { abortSignal, epoch: 1 }), "Aborted", "ensureCheckpoint");
        await expectEphError(c.ensureCheckpoint("0", { abortSignal, epoch: 9 }), "Aborted", "ensureCheckpoint");
        await expectEphError(
          c.updateCheckpoint("0", position(4), { abortSignal, epoch: 1 }),
          "Aborted",
          "updateCheckpoint",
        );
        await expectEphError(c.deleteCheckpoint("0", { abortSignal }), "Aborted", "deleteCheckpoint");
        await expectEphError(c.deleteStore({ abortSignal }), "Aborted", "deleteStore");
        expect(await c.storeExists()).toBe(true);
        const reader = s.host("host-b");
        expect(plain(await reader.getCheckpoint("0"))).toEqual(plain(position(3)));
        expect(await reader.getCheckpoint("1")).toBeUndefined();
        // The fence was not raised to 9 by the aborted ensureCheckpoint.
        await c.updateCheckpoint("0", position(4), { epoch: 1 });
      });
    });

    describe("results and errors", () => {
      test("returned checkpoints are copies: changing one does not change the store", async (s) => {
        const c = s.host("host-a");
        await c.ensureStore();
        await c.ensureCheckpoint("0", { epoch: 1 });
        const written = { offset: "500", sequenceNumber: 5, enqueuedTime: new Date(baseTime) };
        await c.updateCheckpoint("0", written, { epoch: 1 });
        written.enqueuedTime.setTime(0);
        const read = await c.getCheckpoint("0");
        read!.enqueuedTime.setTime(1);
        try {
          Object.assign(read!, { sequenceNumber: 99, offset: "forged" });
        } catch {
          // Frozen results are fine too.
        }
        const again = await s.host("host-b").getCheckpoint("0");
        expect(plain(again)).toEqual({ offset: "500", sequenceNumber: 5, time: baseTime });
      });

      test("errors carry a code and a message, and nothing exposes the fixture's secrets", async (s) => {
        const c = s.host("host-a");
        await c.ensureStore();
        const results: unknown[] = [await c.ensureCheckpoint("0", { epoch: 2 })];
        await c.updateCheckpoint("0", position(5), { epoch: 2 });
        results.push(await c.getCheckpoint("0"));
        await s.fixture.writeCorruptRecord(s.info("host-a"), "27");
        const errors: unknown[] = [
          await expectEphError(c.updateCheckpoint("0", position(6), { epoch: 1 }), "CheckpointFenced", "fenced"),
          await expectEphError(c.updateCheckpoint("0", position(4), { epoch: 2 }), "CheckpointRegressed", "regressed"),
          await expectEphError(c.getCheckpoint("27"), "CorruptRecord", "corrupt"),
          await expectEphError(s.unconfigured().getCheckpoint("0"), "NotConfigured", "unconfigured"),
        ];
        await s.fixture.deleteStoreOutOfBand();
        errors.push(await expectEphError(c.getCheckpoint("0"), "StoreNotFound", "missing store"));
        errors.push(
          await expectEphError(c.updateCheckpoint("0", position(7), { epoch: 2 }), "StoreNotFound", "missing store"),
        );
        expectNoSecrets(s.fixture.secrets, [...results, ...errors], "checkpointer");
      });
    });

    describe("close", () => {
      test("keeps the checkpoints; a closed checkpointer rejects further calls with Closed", async (s) => {
        const c = s.host("host-a");
        await c.ensureStore();
        await c.ensureCheckpoint("0", { epoch: 1 });
        await c.updateCheckpoint("0", position(3), { epoch: 1 });
        await c.close();
        await c.close();
        expect(plain(await s.host("host-b").getCheckpoint("0"))).toEqual(plain(position(3)));
        await expectEphError(c.getCheckpoint("0"), "Closed", "getCheckpoint after close");
        await expectEphError(c.updateCheckpoint("0", position(4), { epoch: 1 }), "Closed", "updateCheckpoint");
      });
    });
  });
}
