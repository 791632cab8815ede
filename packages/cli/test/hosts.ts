import { EventHubProducerClient } from "@azure/event-hubs";
import { BlobCheckpointer } from "@eph/checkpointer-blob";
import { EventProcessorHost, type PartitionClosedInfo, type PartitionOpenedInfo } from "@eph/host";
import { BlobLeaser } from "@eph/leaser-blob";
import type { LocalStack } from "../src/local-stack.js";

/** Lease timing short enough for tests to see partitions move within seconds. */
export const testTiming = { leaseDuration: 3000, renewalInterval: 500, scanInterval: 500, operationTimeout: 400 };

/** Sends `count` events to one partition. */
export async function sendEvents(stack: LocalStack, hub: string, partitionId: string, count: number): Promise<void> {
  const producer = new EventHubProducerClient(stack.eventHubConnectionString(hub));
  try {
    await producer.sendBatch(
      Array.from({ length: count }, (_, i) => ({ body: `p${partitionId}-${i}` })),
      { partitionId },
    );
  } finally {
    await producer.close();
  }
}

/** What the test hosts did. */
export class HostLog {
  readonly events: { host: string; partitionId: string; sequenceNumber: number }[] = [];
  readonly opened: (PartitionOpenedInfo & { host: string })[] = [];
  readonly closed: (PartitionClosedInfo & { host: string })[] = [];

  /** Sequence numbers of `partitionId` delivered, in order, duplicates included. */
  delivered(partitionId: string): number[] {
    return this.events.filter((e) => e.partitionId === partitionId).map((e) => e.sequenceNumber);
  }
}

/** Starts a host named `name` with the blob stores in `container`, checkpointing every 100 ms. */
export async function startHost(
  stack: LocalStack,
  hub: string,
  container: string,
  name: string,
  log: HostLog,
  checkpoints: { container?: string; layout?: "eph" | "checkpointstore-blob" } = {},
): Promise<EventProcessorHost> {
  const leaser = BlobLeaser.fromConnectionString(stack.storageConnectionString, container);
  const checkpointer = BlobCheckpointer.fromConnectionString(
    stack.storageConnectionString,
    checkpoints.container ?? container,
    { layout: checkpoints.layout ?? "eph" },
  );
  const host = await EventProcessorHost.fromConnectionString(
    stack.eventHubConnectionString(hub),
    leaser,
    checkpointer,
    {
      hostName: name,
      noBanner: true,
      ...testTiming,
      maxWaitTimeInSeconds: 1,
      checkpoint: { everyMs: 100 },
      onPartitionOpened: (info) => log.opened.push({ ...info, host: name }),
      onPartitionClosed: (info) => log.closed.push({ ...info, host: name }),
    },
  );
  host.registerHandler(async (event, context) => {
    log.events.push({ host: name, partitionId: context.partitionId, sequenceNumber: event.sequenceNumber });
  });
  await host.startNonBlocking();
  return host;
}
