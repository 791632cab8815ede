import {
  EventHubConsumerClient,
  EventHubProducerClient,
  earliestEventPosition,
  type LastEnqueuedEventProperties,
} from "@azure/event-hubs";
import rhea, { type Connection, type Receiver } from "rhea";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../src/index.js";
import { until } from "./helpers.js";

let emu: Emulator;
let now = 1_760_000_000_000;
let producer: EventHubProducerClient;

beforeAll(async () => {
  emu = await startEmulator({ hubs: { hub: 3 }, clock: () => now });
  producer = new EventHubProducerClient(emu.connectionString("hub"));
});
afterAll(async () => {
  await producer.close();
  await emu.close();
});

describe("trackLastEnqueuedEventProperties", () => {
  it("reports the partition's newest event with every batch", async () => {
    for (let i = 0; i < 5; i++) {
      now += 1000;
      await producer.sendBatch([{ body: i }], { partitionId: "0" });
    }
    const props = await producer.getPartitionProperties("0");
    now += 5000;
    const consumer = new EventHubConsumerClient("$Default", emu.connectionString("hub"));
    const seen: LastEnqueuedEventProperties[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        const subscription = consumer.subscribe(
          "0",
          {
            processEvents: async (events, context) => {
              if (events.length === 0) return;
              seen.push({ ...context.lastEnqueuedEventProperties });
              subscription.close().then(resolve, reject);
            },
            processError: async (error) => reject(error),
          },
          {
            startPosition: earliestEventPosition,
            trackLastEnqueuedEventProperties: true,
            maxBatchSize: 1,
            maxWaitTimeInSeconds: 0.1,
          },
        );
      });
    } finally {
      await consumer.close();
    }
    expect(seen[0]).toEqual({
      sequenceNumber: 4,
      offset: props.lastEnqueuedOffset,
      enqueuedOn: props.lastEnqueuedOnUtc,
      retrievedOn: new Date(now),
    });
  });
});

describe("credit-based flow control", () => {
  let connection: Connection;

  function openReceiver(address: string): Promise<Receiver> {
    return new Promise((resolve, reject) => {
      const receiver = connection.open_receiver({ source: { address }, credit_window: 0, autoaccept: false });
      receiver.once("receiver_open", () => resolve(receiver));
      receiver.once("receiver_error", () => reject(receiver.error));
    });
  }

  afterAll(() => {
    connection?.close();
  });

  it("sends a receiver exactly as many events as it grants credit for", async () => {
    const container = rhea.create_container();
    connection = container.connect({ host: "127.0.0.1", port: emu.port, reconnect: false });
    const receiver = await openReceiver("hub/ConsumerGroups/$Default/Partitions/1");
    const received: unknown[] = [];
    // The client sends bodies as a data section holding JSON.
    receiver.on("message", (context) => {
      const section = context.message?.body as { content: Buffer };
      received.push(JSON.parse(section.content.toString("utf8")));
    });

    await producer.sendBatch(
      Array.from({ length: 20 }, (_, i) => ({ body: i })),
      { partitionId: "1" },
    );
    receiver.add_credit(5);
    await until(() => received.length >= 5, "five events arrive");
    // Frames on one connection arrive in order: once a later attach is answered, any transfer the emulator
    // wrote before it has been processed too.
    await openReceiver("hub/ConsumerGroups/$Default/Partitions/2");
    expect(received).toHaveLength(5);

    await producer.sendBatch([{ body: "more" }], { partitionId: "1" });
    await openReceiver("hub/ConsumerGroups/$Default/Partitions/2");
    expect(received).toHaveLength(5);

    receiver.add_credit(100);
    await until(() => received.length >= 21, "the rest arrives");
    await openReceiver("hub/ConsumerGroups/$Default/Partitions/2");
    expect(received).toEqual([...Array.from({ length: 20 }, (_, i) => i), "more"]);
  });
});
