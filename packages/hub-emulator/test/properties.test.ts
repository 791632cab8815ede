import { EventHubConsumerClient, EventHubProducerClient } from "@azure/event-hubs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, HubEmulatorError, startEmulator } from "../src/index.js";
import { failureOf, quickRetry } from "./helpers.js";

let emu: Emulator;
const startedAt = Date.now();

beforeAll(async () => {
  emu = await startEmulator({ hubs: { hub: 4, other: { partitions: 8, consumerGroups: ["cg1"] } } });
});
afterAll(async () => {
  await emu.close();
});

describe("connection strings", () => {
  it("name the loopback endpoint, the real port, the hub and the emulator flag", () => {
    expect(emu.port).toBeGreaterThan(0);
    expect(emu.connectionString("hub")).toBe(
      `Endpoint=sb://127.0.0.1:${emu.port}/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;EntityPath=hub;UseDevelopmentEmulator=true`,
    );
  });

  it("are refused for a hub the emulator does not have", () => {
    expect(() => emu.connectionString("nope")).toThrow(HubEmulatorError);
  });
});

describe("$management READ", () => {
  it("returns hub properties: name, creation time and partition ids", async () => {
    const producer = new EventHubProducerClient(emu.connectionString("other"));
    try {
      const props = await producer.getEventHubProperties();
      expect(props.name).toBe("other");
      expect(props.partitionIds).toEqual(["0", "1", "2", "3", "4", "5", "6", "7"]);
      expect(props.createdOn.getTime()).toBeGreaterThanOrEqual(startedAt - 1000);
      expect(props.isGeoDrEnabled).toBe(false);
      expect(await producer.getPartitionIds()).toHaveLength(8);
    } finally {
      await producer.close();
    }
  });

  it("describes an empty partition like Azure: begin 0, last -1, empty", async () => {
    const consumer = new EventHubConsumerClient("$Default", emu.connectionString("hub"));
    try {
      const props = await consumer.getPartitionProperties("3");
      expect(props).toMatchObject({
        eventHubName: "hub",
        partitionId: "3",
        beginningSequenceNumber: 0,
        lastEnqueuedSequenceNumber: -1,
        lastEnqueuedOffset: "-1",
        isEmpty: true,
      });
    } finally {
      await consumer.close();
    }
  });

  it("reports the last enqueued event of a partition after sends", async () => {
    const producer = new EventHubProducerClient(emu.connectionString("hub"));
    try {
      await producer.sendBatch([{ body: "a" }, { body: "b" }, { body: "c" }], { partitionId: "2" });
      const props = await producer.getPartitionProperties("2");
      expect(props.beginningSequenceNumber).toBe(0);
      expect(props.lastEnqueuedSequenceNumber).toBe(2);
      expect(props.isEmpty).toBe(false);
      expect(Number(props.lastEnqueuedOffset)).toBeGreaterThan(0);
      expect(Date.now() - props.lastEnqueuedOnUtc.getTime()).toBeLessThan(60_000);
    } finally {
      await producer.close();
    }
  });

  it("answers an unknown hub with MessagingEntityNotFoundError", async () => {
    const cs = emu.connectionString("hub").replace("EntityPath=hub", "EntityPath=missing");
    const producer = new EventHubProducerClient(cs, { retryOptions: quickRetry });
    try {
      const error = await failureOf(() => producer.getEventHubProperties());
      expect(error.code).toBe("MessagingEntityNotFoundError");
      expect(error.retryable).toBe(false);
    } finally {
      await producer.close();
    }
  });

  it("answers an unknown partition with ArgumentOutOfRangeError", async () => {
    const producer = new EventHubProducerClient(emu.connectionString("hub"), { retryOptions: quickRetry });
    try {
      const error = await failureOf(() => producer.getPartitionProperties("9"));
      expect(error.code).toBe("ArgumentOutOfRangeError");
      expect(error.message).toContain("between 0 and 3");
    } finally {
      await producer.close();
    }
  });
});

describe("runtime partitions", () => {
  it("adds partitions that clients then see and use", async () => {
    const local = await startEmulator({ hubs: { grow: 2 } });
    const producer = new EventHubProducerClient(local.connectionString("grow"));
    try {
      expect(await producer.getPartitionIds()).toEqual(["0", "1"]);
      expect(local.addPartitions("grow", 2)).toEqual(["2", "3"]);
      expect(await producer.getPartitionIds()).toEqual(["0", "1", "2", "3"]);
      await producer.sendBatch([{ body: "new" }], { partitionId: "3" });
      expect((await producer.getPartitionProperties("3")).lastEnqueuedSequenceNumber).toBe(0);
      expect(() => local.addPartitions("grow", 0)).toThrow(HubEmulatorError);
    } finally {
      await producer.close();
      await local.close();
    }
  });
});
