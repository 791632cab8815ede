import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventHubConsumerClient, EventHubProducerClient, earliestEventPosition } from "@azure/event-hubs";
import { afterAll, describe, expect, it } from "vitest";
import { type Emulator, HubEmulatorError, startEmulator } from "../src/index.js";
import { receiveEvents } from "./helpers.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function withClients<T>(
  emu: Emulator,
  hub: string,
  body: (producer: EventHubProducerClient, consumer: EventHubConsumerClient) => Promise<T>,
): Promise<T> {
  const producer = new EventHubProducerClient(emu.connectionString(hub));
  const consumer = new EventHubConsumerClient("$Default", emu.connectionString(hub));
  try {
    return await body(producer, consumer);
  } finally {
    await producer.close();
    await consumer.close();
    await emu.close();
  }
}

describe("retention", () => {
  it("keeps at most maxEventsPerPartition events; the beginning sequence number moves forward", async () => {
    const emu = await startEmulator({ hubs: { hub: { partitions: 1, retention: { maxEventsPerPartition: 10 } } } });
    await withClients(emu, "hub", async (producer, consumer) => {
      for (let i = 0; i < 5; i++) await producer.sendBatch(Array.from({ length: 5 }, (_, j) => ({ body: i * 5 + j })));
      const props = await producer.getPartitionProperties("0");
      expect(props.beginningSequenceNumber).toBe(15);
      expect(props.lastEnqueuedSequenceNumber).toBe(24);
      const events = await receiveEvents(consumer, "0", earliestEventPosition, 10);
      expect(events.map((e) => e.sequenceNumber)).toEqual([15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
      // A position before the retained range starts at the oldest retained event, as in Azure.
      const fromExpired = await receiveEvents(consumer, "0", { sequenceNumber: 3, isInclusive: true }, 1);
      expect(fromExpired[0]!.sequenceNumber).toBe(15);
      expect(emu.partitionStats("hub", "0")).toMatchObject({ retainedEvents: 10, beginSequenceNumber: 15 });
    });
  });

  it("keeps at most maxBytesPerPartition bytes", async () => {
    const emu = await startEmulator({ hubs: { hub: 1 }, retention: { maxBytesPerPartition: 50_000 } });
    await withClients(emu, "hub", async (producer) => {
      for (let i = 0; i < 20; i++) await producer.sendBatch([{ body: Buffer.alloc(10_000, i) }]);
      const stats = emu.partitionStats("hub", "0");
      expect(stats.retainedBytes).toBeLessThanOrEqual(50_000);
      expect(stats.retainedEvents).toBe(4);
      expect((await producer.getPartitionProperties("0")).beginningSequenceNumber).toBe(16);
    });
  });

  it("expires events older than maxAgeMs on the emulator's clock", async () => {
    let now = 1_000_000;
    const emu = await startEmulator({ hubs: { hub: 1 }, retention: { maxAgeMs: 60_000 }, clock: () => now });
    await withClients(emu, "hub", async (producer, consumer) => {
      await producer.sendBatch([{ body: "old" }]);
      now += 30_000;
      await producer.sendBatch([{ body: "newer" }]);
      now += 40_000;
      let props = await producer.getPartitionProperties("0");
      expect(props.beginningSequenceNumber).toBe(1);
      expect(props.isEmpty).toBe(false);
      const [first] = await receiveEvents(consumer, "0", earliestEventPosition, 1);
      expect(first!.body).toBe("newer");
      now += 60_000;
      props = await producer.getPartitionProperties("0");
      expect(props).toMatchObject({ beginningSequenceNumber: 2, lastEnqueuedSequenceNumber: 1, isEmpty: true });
      await producer.sendBatch([{ body: "fresh" }]);
      expect((await producer.getPartitionProperties("0")).lastEnqueuedSequenceNumber).toBe(2);
    });
  });

  it("rejects retention limits that are not positive integers", async () => {
    await expect(startEmulator({ hubs: { hub: 1 }, retention: { maxEventsPerPartition: 0 } })).rejects.toThrow(
      HubEmulatorError,
    );
  });
});

describe("durable mode", () => {
  it("a restarted emulator on the same data directory serves the same events and continues numbering", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "eph-hub-emulator-"));
    dirs.push(dataDir);
    const first = await startEmulator({ hubs: { hub: 2 }, dataDir });
    const before = new EventHubProducerClient(first.connectionString("hub"));
    await before.sendBatch([{ body: "a", properties: { n: 1 } }, { body: "b" }], { partitionId: "1" });
    const propsBefore = await before.getPartitionProperties("1");
    const hubBefore = await before.getEventHubProperties();
    await before.close();
    await first.close();

    const second = await startEmulator({ hubs: { hub: 2 }, dataDir });
    await withClients(second, "hub", async (producer, consumer) => {
      expect(await producer.getPartitionProperties("1")).toEqual(propsBefore);
      expect((await producer.getEventHubProperties()).createdOn).toEqual(hubBefore.createdOn);
      await producer.sendBatch([{ body: "c" }], { partitionId: "1" });
      const events = await receiveEvents(consumer, "1", earliestEventPosition, 3);
      expect(events.map((e) => [e.sequenceNumber, e.body])).toEqual([
        [0, "a"],
        [1, "b"],
        [2, "c"],
      ]);
      expect(events[0]!.properties).toEqual({ n: 1 });
      expect(events[2]!.offset).not.toBe(events[1]!.offset);
    });
  });

  it("cuts off a record torn by a crash and carries on from the last whole one", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "eph-hub-emulator-"));
    dirs.push(dataDir);
    const first = await startEmulator({ hubs: { hub: 1 }, dataDir });
    const before = new EventHubProducerClient(first.connectionString("hub"));
    await before.sendBatch([{ body: "kept-0" }, { body: "kept-1" }]);
    await before.close();
    await first.close();
    const partitionDir = join(dataDir, "hub", "0");
    const [segment] = readdirSync(partitionDir);
    // Half a record header: what a crash in the middle of a write leaves.
    appendFileSync(join(partitionDir, segment!), Buffer.alloc(17, 0xee));

    const second = await startEmulator({ hubs: { hub: 1 }, dataDir });
    await withClients(second, "hub", async (producer, consumer) => {
      await producer.sendBatch([{ body: "after" }]);
      const events = await receiveEvents(consumer, "0", earliestEventPosition, 3);
      expect(events.map((e) => [e.sequenceNumber, e.body])).toEqual([
        [0, "kept-0"],
        [1, "kept-1"],
        [2, "after"],
      ]);
    });
  });

  it("refuses a data directory whose hub metadata is unreadable", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "eph-hub-emulator-"));
    dirs.push(dataDir);
    mkdirSync(join(dataDir, "hub"));
    writeFileSync(join(dataDir, "hub", "meta.json"), "{not json");
    const error = await startEmulator({ hubs: { hub: 1 }, dataDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubEmulatorError);
    expect((error as HubEmulatorError).code).toBe("DataDirCorrupt");
    expect((error as Error).message).toContain("meta.json");
  });

  it("keeps partitions added at runtime", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "eph-hub-emulator-"));
    dirs.push(dataDir);
    const first = await startEmulator({ hubs: { hub: 1 }, dataDir });
    first.addPartitions("hub", 2);
    await first.close();
    const second = await startEmulator({ hubs: { hub: 1 }, dataDir });
    await withClients(second, "hub", async (producer) => {
      expect(await producer.getPartitionIds()).toEqual(["0", "1", "2"]);
    });
  });
});
