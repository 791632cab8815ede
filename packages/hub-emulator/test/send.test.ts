import { EventHubConsumerClient, EventHubProducerClient, earliestEventPosition } from "@azure/event-hubs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../src/index.js";
import { failureOf, quickRetry, receiveEvents } from "./helpers.js";

let emu: Emulator;
let producer: EventHubProducerClient;

async function lastSequenceNumbers(hub: string): Promise<number[]> {
  const client = new EventHubProducerClient(emu.connectionString(hub));
  try {
    const ids = await client.getPartitionIds();
    return Promise.all(ids.map(async (id) => (await client.getPartitionProperties(id)).lastEnqueuedSequenceNumber));
  } finally {
    await client.close();
  }
}

beforeAll(async () => {
  emu = await startEmulator({ hubs: { rr: 4, keys: 4, direct: 4, batches: 2, big: 1 } });
  producer = new EventHubProducerClient(emu.connectionString("rr"));
});
afterAll(async () => {
  await producer.close();
  await emu.close();
});

describe("sending to the hub", () => {
  it("spreads publishes without key or partition over every partition (round robin)", async () => {
    for (let i = 0; i < 8; i++) await producer.sendBatch([{ body: i }]);
    expect(await lastSequenceNumbers("rr")).toEqual([1, 1, 1, 1]);
  });

  it("routes a partition key to one partition, the same across emulator instances", async () => {
    const keyed = new EventHubProducerClient(emu.connectionString("keys"));
    const second = await startEmulator({ hubs: { keys: 4 } });
    const keyedElsewhere = new EventHubProducerClient(second.connectionString("keys"));
    try {
      for (let i = 0; i < 5; i++) await keyed.sendBatch([{ body: i }], { partitionKey: "device-17" });
      const counts = await lastSequenceNumbers("keys");
      expect(counts.filter((n) => n === 4)).toHaveLength(1);
      expect(counts.filter((n) => n === -1)).toHaveLength(3);
      const target = counts.indexOf(4);

      await keyedElsewhere.sendBatch([{ body: "x" }], { partitionKey: "device-17" });
      const props = await keyedElsewhere.getPartitionProperties(String(target));
      expect(props.lastEnqueuedSequenceNumber).toBe(0);

      const consumer = new EventHubConsumerClient("$Default", emu.connectionString("keys"));
      try {
        const events = await receiveEvents(consumer, String(target), earliestEventPosition, 5);
        expect(events.map((e) => e.partitionKey)).toEqual(Array(5).fill("device-17"));
      } finally {
        await consumer.close();
      }
    } finally {
      await keyed.close();
      await keyedElsewhere.close();
      await second.close();
    }
  });

  it("sends to the partition named by partitionId", async () => {
    const direct = new EventHubProducerClient(emu.connectionString("direct"));
    try {
      await direct.sendBatch([{ body: 1 }, { body: 2 }], { partitionId: "3" });
      expect(await lastSequenceNumbers("direct")).toEqual([-1, -1, -1, 1]);
    } finally {
      await direct.close();
    }
  });
});

describe("batches", () => {
  it("stores every event of an EventDataBatch with contiguous sequence numbers", async () => {
    const client = new EventHubProducerClient(emu.connectionString("batches"));
    const consumer = new EventHubConsumerClient("$Default", emu.connectionString("batches"));
    try {
      const batch = await client.createBatch({ partitionId: "1" });
      expect(batch.maxSizeInBytes).toBe(1024 * 1024);
      for (let i = 0; i < 250; i++) expect(batch.tryAdd({ body: `event-${i}` })).toBe(true);
      await client.sendBatch(batch);
      const events = await receiveEvents(consumer, "1", earliestEventPosition, 250);
      expect(events.map((e) => e.body)).toEqual(Array.from({ length: 250 }, (_, i) => `event-${i}`));
      expect(events.map((e) => e.sequenceNumber)).toEqual(Array.from({ length: 250 }, (_, i) => i));
      const offsets = events.map((e) => Number(e.offset));
      expect(offsets[0]).toBe(0);
      for (let i = 1; i < offsets.length; i++) expect(offsets[i]).toBeGreaterThan(offsets[i - 1]!);
    } finally {
      await client.close();
      await consumer.close();
    }
  });

  it("fills a batch up to the 1 MB link limit the emulator advertises", async () => {
    const client = new EventHubProducerClient(emu.connectionString("batches"));
    try {
      const batch = await client.createBatch();
      const body = Buffer.alloc(100 * 1024, 7);
      let added = 0;
      while (batch.tryAdd({ body })) added++;
      expect(added).toBe(10);
      await client.sendBatch(batch);
    } finally {
      await client.close();
    }
  });
});

describe("the 1 MB limit", () => {
  it("rejects a publish over 1 MB with MessageTooLargeError and keeps nothing of it", async () => {
    const client = new EventHubProducerClient(emu.connectionString("big"), { retryOptions: quickRetry });
    try {
      const error = await failureOf(() => client.sendBatch([{ body: Buffer.alloc(1024 * 1024 + 1) }]));
      expect(error.code).toBe("MessageTooLargeError");
      expect((await client.getPartitionProperties("0")).isEmpty).toBe(true);
      await client.sendBatch([{ body: Buffer.alloc(1000 * 1024) }]);
      expect((await client.getPartitionProperties("0")).lastEnqueuedSequenceNumber).toBe(0);
    } finally {
      await client.close();
    }
  });
});
