import type { EphError, HostInfo } from "@eph/core";
import { describe, expect, it } from "vitest";
import { MemoryCheckpointer, MemoryCheckpointStore } from "../src/index.js";

const scope = { fullyQualifiedNamespace: "ns.servicebus.windows.net", eventHubName: "hub", consumerGroup: "$Default" };

function checkpointer(store: MemoryCheckpointStore): MemoryCheckpointer {
  const c = new MemoryCheckpointer({ store });
  c.setEventProcessorHost({ hostName: "host-a", ...scope });
  return c;
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return "resolved";
}

describe("MemoryCheckpointer (issue 13)", () => {
  it("32 concurrent updateCheckpoint calls of the rightful owner (5000-5031) store 5031 and none fails StoreUnavailable", async () => {
    const store = new MemoryCheckpointStore();
    const c = checkpointer(store);
    await c.ensureStore();
    await c.ensureCheckpoint("0", { epoch: 1 });
    const sequenceNumbers = Array.from({ length: 32 }, (_, i) => 5000 + i);
    const outcomes = await Promise.allSettled(
      sequenceNumbers.map((sequenceNumber) =>
        c.updateCheckpoint(
          "0",
          { offset: String(sequenceNumber), sequenceNumber, enqueuedTime: new Date(1_700_000_000_000) },
          { epoch: 1 },
        ),
      ),
    );
    const failures = outcomes.flatMap((o) => (o.status === "rejected" ? [(o.reason as EphError).code] : []));
    expect(failures).toEqual([]);
    expect((await checkpointer(store).getCheckpoint("0"))?.sequenceNumber).toBe(5031);
  });

  it.each([
    ["year 10000", new Date(Date.UTC(10000, 0, 1))],
    ["year -1", new Date(Date.UTC(-1, 0, 1))],
    ["an invalid Date", new Date(Number.NaN)],
  ])(
    "refuses an enqueuedTime in %s with InvalidOption at write, so the partition stays readable",
    async (_what, enqueuedTime) => {
      const store = new MemoryCheckpointStore();
      const c = checkpointer(store);
      await c.ensureStore();
      await c.updateCheckpoint(
        "0",
        { offset: "1", sequenceNumber: 1, enqueuedTime: new Date(1_700_000_000_000) },
        { epoch: 1 },
      );
      const error = await errorOf(
        c.updateCheckpoint("0", { offset: "2", sequenceNumber: 2, enqueuedTime }, { epoch: 1 }),
      );
      expect(error).toMatchObject({
        code: "InvalidOption",
        message: expect.stringContaining("checkpoint.enqueuedTime"),
      });
      expect((await checkpointer(store).getCheckpoint("0"))?.sequenceNumber).toBe(1);
      await c.updateCheckpoint(
        "0",
        { offset: "3", sequenceNumber: 3, enqueuedTime: new Date(Date.UTC(9999, 11, 31)) },
        { epoch: 1 },
      );
      expect((await checkpointer(store).getCheckpoint("0"))?.enqueuedTime.getUTCFullYear()).toBe(9999);
    },
  );

  it("refuses setEventProcessorHost(undefined) with InvalidOption, not a TypeError", () => {
    const c = new MemoryCheckpointer();
    expect(() => c.setEventProcessorHost(undefined as unknown as HostInfo)).toThrow(
      expect.objectContaining({ code: "InvalidOption" }),
    );
  });

  it("refuses interceptor: 42 when constructed, naming the option", () => {
    const options = { interceptor: 42 } as unknown as ConstructorParameters<typeof MemoryCheckpointer>[0];
    expect(() => new MemoryCheckpointer(options)).toThrow(
      expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("options.interceptor") }),
    );
  });

  it("reads a record of a newer format as CorruptRecord naming the record and the format", async () => {
    const store = new MemoryCheckpointStore();
    const c = checkpointer(store);
    await c.ensureStore();
    store.writeRaw(scope, "4", { format: "2", fence: "1", position: "{}" });
    const error = await errorOf(c.getCheckpoint("4"));
    expect(error).toMatchObject({
      code: "CorruptRecord",
      message: expect.stringMatching(/partition "4".*format 2, newer/),
    });
  });
});
