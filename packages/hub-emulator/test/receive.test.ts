import {
  EventHubConsumerClient,
  EventHubProducerClient,
  earliestEventPosition,
  latestEventPosition,
  type ReceivedEventData,
} from "@azure/event-hubs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../src/index.js";
import { firstSubscribeError, receiveEvents, until } from "./helpers.js";

let emu: Emulator;
let now = 1_750_000_000_000;
let producer: EventHubProducerClient;
let consumer: EventHubConsumerClient;
let stored: ReceivedEventData[];

beforeAll(async () => {
  // An injected clock gives each publish its own enqueued time, so time positions are exact.
  emu = await startEmulator({ hubs: { hub: 2 }, clock: () => now });
  producer = new EventHubProducerClient(emu.connectionString("hub"));
  consumer = new EventHubConsumerClient("$Default", emu.connectionString("hub"));
  for (let i = 0; i < 10; i++) {
    now += 1000;
    await producer.sendBatch([{ body: `e${i}` }], { partitionId: "0" });
  }
  stored = await receiveEvents(consumer, "0", earliestEventPosition, 10);
});
afterAll(async () => {
  await consumer.close();
  await producer.close();
  await emu.close();
});

const bodies = (events: ReceivedEventData[]) => events.map((e) => e.body);

describe("service annotations", () => {
  it("numbers events 0,1,2... per partition with growing offsets and the enqueue time", () => {
    expect(bodies(stored)).toEqual(["e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9"]);
    expect(stored.map((e) => e.sequenceNumber)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(stored.every((e) => typeof e.offset === "string")).toBe(true);
    const offsets = stored.map((e) => Number(e.offset));
    expect(offsets[0]).toBe(0);
    expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
    expect(stored.map((e) => e.enqueuedTimeUtc.getTime())).toEqual(
      Array.from({ length: 10 }, (_, i) => 1_750_000_000_000 + (i + 1) * 1000),
    );
  });
});

describe("start positions", () => {
  it("earliest starts at the first retained event", async () => {
    expect(bodies(await receiveEvents(consumer, "0", earliestEventPosition, 10))).toHaveLength(10);
  });

  it("offset inclusive starts at that event, exclusive after it", async () => {
    const offset = stored[4]!.offset;
    expect(bodies(await receiveEvents(consumer, "0", { offset, isInclusive: true }, 6))).toEqual([
      "e4",
      "e5",
      "e6",
      "e7",
      "e8",
      "e9",
    ]);
    expect(bodies(await receiveEvents(consumer, "0", { offset }, 5))).toEqual(["e5", "e6", "e7", "e8", "e9"]);
  });

  it("sequence number inclusive starts at that event, exclusive after it", async () => {
    expect(bodies(await receiveEvents(consumer, "0", { sequenceNumber: 7, isInclusive: true }, 3))).toEqual([
      "e7",
      "e8",
      "e9",
    ]);
    expect(bodies(await receiveEvents(consumer, "0", { sequenceNumber: 7 }, 2))).toEqual(["e8", "e9"]);
  });

  it("enqueued time starts after events enqueued at or before it", async () => {
    const at = stored[5]!.enqueuedTimeUtc;
    expect(bodies(await receiveEvents(consumer, "0", { enqueuedOn: at }, 4))).toEqual(["e6", "e7", "e8", "e9"]);
    expect(bodies(await receiveEvents(consumer, "0", { enqueuedOn: at.getTime() - 500 }, 5))).toEqual([
      "e5",
      "e6",
      "e7",
      "e8",
      "e9",
    ]);
  });

  it("latest delivers only events enqueued after the receiver attached", async () => {
    await producer.sendBatch([{ body: "before" }], { partitionId: "1" });
    const received: unknown[] = [];
    const subscription = consumer.subscribe(
      "1",
      {
        processEvents: async (events) => {
          received.push(...events.map((e) => e.body));
        },
        processError: async () => {},
      },
      { startPosition: latestEventPosition, maxWaitTimeInSeconds: 0.1 },
    );
    try {
      // The attach time is not observable from here: keep publishing until the receiver sees something.
      let n = 0;
      await until(async () => {
        await producer.sendBatch([{ body: `after-${n++}` }], { partitionId: "1" });
        return received.length > 0;
      }, "the latest-position receiver gets an event");
    } finally {
      await subscription.close();
    }
    expect(received).not.toContain("before");
    expect(received[0]).toMatch(/^after-/);
  });

  it("refuses a sequence number past the end with ArgumentError", async () => {
    const error = await firstSubscribeError(consumer, "0", { startPosition: { sequenceNumber: 50 } });
    expect(error.code).toBe("ArgumentError");
    expect(error.message).toContain("The last sequence number in the system is '9'");
  });

  it("refuses an offset past the end with ArgumentError", async () => {
    const error = await firstSubscribeError(consumer, "0", { startPosition: { offset: "99999999" } });
    expect(error.code).toBe("ArgumentError");
  });
});

describe("event content", () => {
  it("passes body, properties and application properties through unchanged", async () => {
    const sent = {
      body: { text: "héllo", n: 42, nested: [1, { a: true }] },
      properties: { str: "s", int: 7, neg: -3, float: 1.5, flag: false, when: new Date(1_700_000_000_000) },
      messageId: "m-1",
      correlationId: "c-1",
      contentType: "application/json",
    };
    await producer.sendBatch([sent, { body: Buffer.from([0, 1, 2, 255]) }], { partitionId: "1" });
    const props = await producer.getPartitionProperties("1");
    const [json, binary] = await receiveEvents(
      consumer,
      "1",
      { sequenceNumber: props.lastEnqueuedSequenceNumber - 1, isInclusive: true },
      2,
    );
    expect(json!.body).toEqual(sent.body);
    expect(json!.properties).toEqual({ ...sent.properties, when: 1_700_000_000_000 });
    expect(json!.messageId).toBe("m-1");
    expect(json!.correlationId).toBe("c-1");
    expect(json!.contentType).toBe("application/json");
    expect(Buffer.from(binary!.body as Uint8Array)).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it("keeps producer message annotations and adds the partition key", async () => {
    await producer.sendBatch([{ body: "k" }], { partitionKey: "the-key" });
    for (const id of ["0", "1"]) {
      const props = await producer.getPartitionProperties(id);
      const [last] = await receiveEvents(
        consumer,
        id,
        { sequenceNumber: props.lastEnqueuedSequenceNumber, isInclusive: true },
        1,
      );
      if (last!.body === "k") {
        expect(last!.partitionKey).toBe("the-key");
        return;
      }
    }
    throw new Error("the keyed event was not found");
  });
});
