import type { Checkpointer } from "@eph/core";
import { expectEphError, expectNoSecrets } from "../error-assertions.js";
import { expect } from "../expect.js";
import type { SuiteContext } from "../suite-context.js";
import { baseTime, plain, position } from "./helpers.js";

/** Corrupt records, cancellation, results and errors, close. */
export function faultTests({ test, describe }: SuiteContext<Checkpointer>): void {
  describe("corrupt records", () => {
    test("calls on a corrupt record reject CorruptRecord naming the partition; delete clears it", async (s) => {
      const c = s.host("host-a");
      await c.ensureStore();
      await s.fixture.writeCorruptRecord(s.info("host-a"), "27");
      const errors = [
        await expectEphError(c.getCheckpoint("27"), "CorruptRecord", "getCheckpoint"),
        await expectEphError(c.ensureCheckpoint("27", { epoch: 1 }), "CorruptRecord", "ensureCheckpoint"),
        await expectEphError(c.updateCheckpoint("27", position(1), { epoch: 1 }), "CorruptRecord", "updateCheckpoint"),
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
}
