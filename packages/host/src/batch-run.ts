import type { ReceivedEventData } from "@azure/event-hubs";
import { delay, type HandlerID } from "@eph/core";
import { backoffDelay } from "./backoff.js";
import type { RegisteredBatchHandler } from "./batch-buffer.js";
import type { BatchContext } from "./batch-handler.js";
import type { DispatchOutcome, HandlerPolicy } from "./event-dispatcher.js";
import { isThenable } from "./event-run.js";
import { callSignal } from "./running-handlers.js";

/** What delivering one batch needs from its partition. */
export interface BatchRunOptions extends HandlerPolicy {
  /** False once the handler was unregistered: it is not retried, and no longer holds the batch back. */
  readonly isRegistered: (id: HandlerID) => boolean;
}

/**
 * Gives one batch to one batch handler until it resolves, is skipped, fails for good, or the partition
 * stops. A failing batch is retried as a whole with backoff; when the attempts run out the failure is
 * reported (with the batch) and the policy decides. `checkpoint` serves `context.checkpoint(event?)`.
 */
export async function runBatch(
  o: BatchRunOptions,
  registered: RegisteredBatchHandler,
  events: ReceivedEventData[],
  checkpoint: (event?: ReceivedEventData) => Promise<void>,
): Promise<DispatchOutcome> {
  const first = (events[0] as ReceivedEventData).sequenceNumber;
  for (let attempt = 1; ; attempt++) {
    const call = callSignal(o.signal, o.handlerTimeout);
    const context: BatchContext = { partitionId: o.partitionId, epoch: o.epoch, signal: call.signal, checkpoint };
    try {
      // The handler gets its own copy: what it does to the array cannot change what a retry is given.
      const returned = registered.handler([...events], context);
      if (isThenable(returned)) {
        await new Promise<void>((resolve, reject) => {
          const end = o.running.watch(registered.id, first, o.partitionId, o.handlerTimeout, (error) => {
            call.abort(error);
            reject(error);
          });
          returned.then(
            () => {
              end();
              resolve();
            },
            (error: unknown) => {
              end();
              reject(error);
            },
          );
        });
      }
      return { kind: "handled" };
    } catch (error) {
      const exhausted = attempt >= o.retry.maxAttempts;
      o.report({
        operation: "handler",
        partitionId: o.partitionId,
        error,
        willRetry: !exhausted,
        handlerId: registered.id,
        event: events[0],
        events,
        attempt,
        ...(exhausted ? { action: o.onFailure } : {}),
      });
      if (exhausted) return giveUp(o, events, error);
      try {
        await delay(o.clock, backoffDelay(attempt, o.retry.initialDelay, o.retry.maxDelay, o.random), o.signal);
      } catch {
        return { kind: "stopped" };
      }
      if (!o.isRegistered(registered.id)) return { kind: "handled" };
    }
  }
}

/**
 * The policy on a batch that failed for good: skip it, or write each of its events to the dead-letter
 * store (the batch completes only once all are stored; otherwise the partition stops before it), or
 * stop the partition.
 */
async function giveUp(
  o: BatchRunOptions,
  events: readonly ReceivedEventData[],
  error: unknown,
): Promise<DispatchOutcome> {
  if (o.onFailure === "skipEvent") return { kind: "skipped", error };
  if (o.onFailure === "deadLetter" && o.deadLetter !== undefined) {
    for (const event of events) {
      if (!(await o.deadLetter(event, error)))
        return o.signal.aborted ? { kind: "stopped" } : { kind: "failed", error };
    }
    return { kind: "deadLettered", error };
  }
  return { kind: "failed", error };
}
