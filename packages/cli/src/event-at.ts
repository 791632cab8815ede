import type { EventHubConsumerClient, Subscription } from "@azure/event-hubs";
import type { Checkpoint } from "@eph/core";

/**
 * Reads the position (offset, enqueued time) of the event with sequence number `sequenceNumber`, with
 * `epoch` as owner level: the caller holds the partition's lease at that epoch, so reading displaces
 * any receiver of a deposed owner, exactly as a host taking the partition would.
 */
export function readEventPosition(
  client: EventHubConsumerClient,
  partitionId: string,
  sequenceNumber: number,
  epoch: number,
  abortSignal: AbortSignal,
): Promise<Checkpoint> {
  return new Promise<Checkpoint>((resolve, reject) => {
    let subscription: Subscription | undefined;
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      abortSignal.removeEventListener("abort", onAbort);
      void subscription?.close().catch(() => undefined);
      outcome();
    };
    const onAbort = () => finish(() => reject(abortSignal.reason));
    abortSignal.addEventListener("abort", onAbort, { once: true });
    subscription = client.subscribe(
      partitionId,
      {
        processEvents: async (events) => {
          const event = events.find((e) => e.sequenceNumber === sequenceNumber);
          if (event) {
            finish(() =>
              resolve({
                sequenceNumber: event.sequenceNumber,
                offset: String(event.offset),
                enqueuedTime: event.enqueuedTimeUtc,
              }),
            );
          } else if (events.length > 0) {
            finish(() => reject(new Error(`partition ${partitionId} has no event ${sequenceNumber}`)));
          }
        },
        processError: async (error) => finish(() => reject(error)),
      },
      {
        startPosition: { sequenceNumber, isInclusive: true },
        ownerLevel: epoch,
        maxBatchSize: 1,
        maxWaitTimeInSeconds: 5,
        prefetchCount: 1,
      },
    );
    if (abortSignal.aborted) onAbort();
  });
}
