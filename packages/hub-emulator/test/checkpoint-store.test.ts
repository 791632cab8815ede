import { EventHubConsumerClient, EventHubProducerClient, type ReceivedEventData } from "@azure/event-hubs";
import { BlobCheckpointStore } from "@azure/eventhubs-checkpointstore-blob";
import { ContainerClient } from "@azure/storage-blob";
import { type AzuriteInstance, startAzurite } from "@eph/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../src/index.js";
import { until } from "./helpers.js";

let azurite: AzuriteInstance;
let emu: Emulator;
let container: ContainerClient;

beforeAll(async () => {
  [azurite, emu] = await Promise.all([startAzurite(), startEmulator({ hubs: { hub: 2 } })]);
  container = new ContainerClient(azurite.connectionString, "checkpoints");
  await container.create();
}, 30_000);
afterAll(async () => {
  await emu?.close();
  await azurite?.close();
});

/** Runs an official consumer with the blob checkpoint store until it has `count` events, checkpointing each batch. */
async function consumeWithCheckpoints(count: number): Promise<ReceivedEventData[]> {
  const consumer = new EventHubConsumerClient(
    "$Default",
    emu.connectionString("hub"),
    new BlobCheckpointStore(container),
    {
      loadBalancingOptions: { strategy: "greedy", updateIntervalInMs: 200 },
    },
  );
  const received: ReceivedEventData[] = [];
  const subscription = consumer.subscribe(
    {
      processEvents: async (events, context) => {
        received.push(...events);
        const last = events[events.length - 1];
        if (last) await context.updateCheckpoint(last);
      },
      processError: async () => {},
    },
    { startPosition: { offset: "-1" }, maxBatchSize: 3, maxWaitTimeInSeconds: 0.2 },
  );
  try {
    await until(() => received.length >= count, `${count} events are consumed`, 20_000);
  } finally {
    await subscription.close();
    await consumer.close();
  }
  return received;
}

it("an official consumer with the blob checkpoint store on Azurite resumes after its checkpoints", async () => {
  const producer = new EventHubProducerClient(emu.connectionString("hub"));
  try {
    for (const partitionId of ["0", "1"]) {
      await producer.sendBatch(
        Array.from({ length: 10 }, (_, i) => ({ body: `${partitionId}-${i}` })),
        { partitionId },
      );
    }
    const first = await consumeWithCheckpoints(20);
    expect(first.map((e) => e.body).sort()).toHaveLength(20);

    for (const partitionId of ["0", "1"]) {
      await producer.sendBatch(
        Array.from({ length: 5 }, (_, i) => ({ body: `${partitionId}-late-${i}` })),
        { partitionId },
      );
    }
    const second = await consumeWithCheckpoints(10);
    expect(second.map((e) => e.body as string).sort()).toEqual(
      ["0", "1"].flatMap((p) => Array.from({ length: 5 }, (_, i) => `${p}-late-${i}`)).sort(),
    );
    expect(second.map((e) => e.sequenceNumber).sort()).toEqual([10, 10, 11, 11, 12, 12, 13, 13, 14, 14]);
  } finally {
    await producer.close();
  }
}, 60_000);
