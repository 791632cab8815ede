import { EventHubConsumerClient, EventHubProducerClient, earliestEventPosition } from "@azure/event-hubs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, HubEmulatorError, startEmulator } from "../src/index.js";
import { type ClientError, failureOf, quickRetry, until } from "./helpers.js";

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({ hubs: { hub: 2, busy: 1, slow: 1, drop: 1 } });
});
afterAll(async () => {
  await emu.close();
});

describe("fault injection", () => {
  it("stealReceivers closes reading links with amqp:link:stolen", async () => {
    const producer = new EventHubProducerClient(emu.connectionString("hub"));
    const consumer = new EventHubConsumerClient("$Default", emu.connectionString("hub"), { retryOptions: quickRetry });
    const errors: ClientError[] = [];
    const bodies: unknown[] = [];
    const subscription = consumer.subscribe(
      "1",
      {
        processEvents: async (events) => {
          bodies.push(...events.map((e) => e.body));
        },
        processError: async (error) => {
          errors.push(error as ClientError);
        },
      },
      { startPosition: earliestEventPosition, ownerLevel: 1, maxWaitTimeInSeconds: 0.1, retryOptions: quickRetry },
    );
    try {
      await until(async () => {
        await producer.sendBatch([{ body: "probe" }], { partitionId: "1" });
        return bodies.length > 0;
      }, "the reader is attached");
      expect(emu.faults.stealReceivers("hub", "0")).toBe(0);
      expect(emu.faults.stealReceivers("hub", "1")).toBe(1);
      await until(() => errors.length > 0, "the reader sees the steal");
      expect(errors[0]!.code).toBe("ReceiverDisconnectedError");
      expect(() => emu.faults.stealReceivers("nope")).toThrow(HubEmulatorError);
    } finally {
      await subscription.close();
      await consumer.close();
      await producer.close();
    }
  });

  it("dropConnections cuts sockets; clients reconnect and resume without gaps or duplicates", async () => {
    // A publish in flight when the socket dies waits for its attempt timeout before the client retries it.
    const producer = new EventHubProducerClient(emu.connectionString("drop"), {
      retryOptions: { ...quickRetry, timeoutInMs: 1000 },
    });
    const consumer = new EventHubConsumerClient("$Default", emu.connectionString("drop"), { retryOptions: quickRetry });
    const bodies: unknown[] = [];
    const subscription = consumer.subscribe(
      "0",
      {
        processEvents: async (events) => {
          bodies.push(...events.map((e) => e.body));
        },
        processError: async () => {},
      },
      { startPosition: earliestEventPosition, maxWaitTimeInSeconds: 0.1, retryOptions: quickRetry },
    );
    try {
      for (let i = 0; i < 5; i++) await producer.sendBatch([{ body: i }]);
      await until(() => bodies.length >= 5, "the first events arrive");
      expect(emu.faults.dropConnections()).toBeGreaterThanOrEqual(2);
      for (let i = 5; i < 10; i++) await producer.sendBatch([{ body: i }]);
      await until(() => bodies.length >= 10, "events after the drop arrive");
      expect(bodies).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    } finally {
      await subscription.close();
      await consumer.close();
      await producer.close();
    }
  }, 20_000);

  it("serverBusy answers publishes with ServerBusyError, which the client retries", async () => {
    const producer = new EventHubProducerClient(emu.connectionString("busy"), { retryOptions: quickRetry });
    try {
      emu.faults.serverBusy(1);
      await producer.sendBatch([{ body: "retried" }]);
      expect((await producer.getPartitionProperties("0")).lastEnqueuedSequenceNumber).toBe(0);

      emu.faults.serverBusy(10);
      const error = await failureOf(() => producer.sendBatch([{ body: "refused" }]));
      // Once retries are exhausted the client reports every attempt's error together.
      const attempts = error.errors ?? [error];
      expect(attempts.map((e) => e.code)).toEqual(Array(quickRetry.maxRetries + 1).fill("ServerBusyError"));
      emu.faults.clear();
      expect((await producer.getPartitionProperties("0")).lastEnqueuedSequenceNumber).toBe(0);
    } finally {
      emu.faults.clear();
      await producer.close();
    }
  });

  it("setLatency delays acknowledgements and management replies", async () => {
    const producer = new EventHubProducerClient(emu.connectionString("slow"));
    try {
      await producer.getPartitionIds();
      emu.faults.setLatency(300);
      let started = Date.now();
      await producer.getPartitionIds();
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      started = Date.now();
      await producer.sendBatch([{ body: 1 }]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      emu.faults.clear();
      expect(() => emu.faults.setLatency(-1)).toThrow(HubEmulatorError);
    } finally {
      emu.faults.clear();
      await producer.close();
    }
  });
});
