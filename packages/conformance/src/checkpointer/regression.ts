import type { Checkpointer } from "@eph/core";
import { expectEphError } from "../error-assertions.js";
import { expect } from "../expect.js";
import type { SuiteContext } from "../suite-context.js";
import { plain, position } from "./helpers.js";

/** Positions never move backwards. */
export function regressionTests({ test, describe, concurrency }: SuiteContext<Checkpointer>): void {
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
}
