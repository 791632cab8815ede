import type { Checkpoint, Checkpointer } from "@eph/core";
import { expectEphError } from "../error-assertions.js";
import { expect } from "../expect.js";
import type { SuiteContext } from "../suite-context.js";
import { baseTime, plain, position } from "./helpers.js";

/** getCheckpoint, ensureCheckpoint and updateCheckpoint. */
export function readWriteTests({ test, describe, concurrency }: SuiteContext<Checkpointer>): void {
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
}
