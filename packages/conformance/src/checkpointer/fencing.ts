import type { Checkpointer } from "@eph/core";
import { expectEphError } from "../error-assertions.js";
import { expect } from "../expect.js";
import type { SuiteContext } from "../suite-context.js";
import { plain, position } from "./helpers.js";

/** Fences raised by ensureCheckpoint and by writes. */
export function fencingTests({ test, describe }: SuiteContext<Checkpointer>): void {
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
}
