import type { ReceivedEventData } from "@azure/event-hubs";
import { type Checkpoint, type Clock, delay, EphError, type RandomSource } from "@eph/core";
import { backoffDelay } from "./backoff.js";
import { type AttemptResult, EventRun, type RegisteredHandler } from "./event-run.js";
import type { HandlerFailureAction, HostErrorInfo } from "./host-events.js";
import type { HandlerRetryPolicy } from "./host-options.js";
import type { RunningHandlers } from "./running-handlers.js";

/** What became of one event. */
export type DispatchOutcome =
  /** Every handler completed it. */
  | { readonly kind: "handled" }
  /** A handler kept failing and the policy is `skipEvent`: the event counts as processed. */
  | { readonly kind: "skipped"; readonly error: unknown }
  /** A handler kept failing and the event was written to the dead-letter store: it counts as processed. */
  | { readonly kind: "deadLettered"; readonly error: unknown }
  /** A handler kept failing and the policy is `stopPartition`: nothing may be checkpointed past it. */
  | { readonly kind: "failed"; readonly error: unknown }
  /** The partition is stopping: the event did not complete. */
  | { readonly kind: "stopped" };

/** How a partition runs its handlers: what per-event and batch handlers share. */
export interface HandlerPolicy {
  readonly partitionId: string;
  readonly epoch: number;
  /** Fires when the partition stops: retries end, handlers are told through `context.signal`. */
  readonly signal: AbortSignal;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly retry: Required<HandlerRetryPolicy>;
  readonly onFailure: HandlerFailureAction;
  readonly report: (info: HostErrorInfo) => void;
  /** Longest a handler call may run before it counts as failed (ms); undefined: no limit. */
  readonly handlerTimeout: number | undefined;
  /** The partition's handler calls still running (health shows the oldest). */
  readonly running: RunningHandlers;
  /** Writes the event to the dead-letter store (`onFailure: "deadLetter"`); false when it could not. */
  readonly deadLetter?: (event: ReceivedEventData, error: unknown) => Promise<boolean>;
}

/** What a {@link EventDispatcher} needs. */
export interface EventDispatcherOptions extends HandlerPolicy {
  /** The handlers registered now. */
  readonly handlers: () => readonly RegisteredHandler[];
  /** Stores `position` now (a handler called `checkpoint()`). */
  readonly checkpointNow: (position: Checkpoint) => Promise<void>;
}

const handled: DispatchOutcome = { kind: "handled" };
const stopped: DispatchOutcome = { kind: "stopped" };

/**
 * Gives one partition's events to every registered handler. Handlers of one event run concurrently;
 * the next event starts only once all of them are done. A handler that fails is retried on the same
 * event with backoff (handlers that succeeded are not called again); when retries run out the failure
 * is reported and the policy decides: stop the partition, skip the event, or write it to the dead-letter
 * store (stopping the partition if that write fails). Nothing is dropped silently.
 */
export class EventDispatcher {
  /** True when the last `dispatch` ended with a handler asking for a checkpoint. */
  lastCheckpointRequested = false;

  constructor(private readonly options: EventDispatcherOptions) {}

  /**
   * Runs the handlers on `event` until it completes, is skipped, fails for good, or the partition stops.
   * When every handler returns synchronously without asking for a checkpoint the outcome is returned
   * directly, not as a promise: a batch of synchronous handlers then runs without a microtask per event.
   */
  dispatch(event: ReceivedEventData): DispatchOutcome | Promise<DispatchOutcome> {
    const o = this.options;
    this.lastCheckpointRequested = false;
    const handlers = o.handlers();
    if (handlers.length === 0 || o.signal.aborted) return stopped;
    const run = new EventRun(o, event, handlers);
    const first = run.attempt(handlers, 1);
    if (!(first instanceof Promise) && first.every((r) => r.ok) && !run.checkpointRequested) return handled;
    return this.complete(run, handlers, first);
  }

  /** The slow path: waits for asynchronous handlers, retries failures with backoff, applies the policy. */
  private async complete(
    run: EventRun,
    handlers: readonly RegisteredHandler[],
    first: AttemptResult[] | Promise<AttemptResult[]>,
  ): Promise<DispatchOutcome> {
    const o = this.options;
    const event = run.event;
    let pending = handlers;
    let lastError: unknown;
    try {
      for (let attempt = 1; ; attempt++) {
        const results = attempt === 1 ? await first : await run.attempt(pending, attempt);
        const failed: { handler: RegisteredHandler; error: unknown }[] = [];
        results.forEach((result, i) => {
          if (!result.ok) failed.push({ handler: pending[i] as RegisteredHandler, error: result.error });
        });
        if (failed.length === 0) {
          this.lastCheckpointRequested = run.checkpointRequested;
          return handled;
        }
        const exhausted = attempt >= o.retry.maxAttempts;
        for (const { handler, error } of failed) {
          lastError = error;
          o.report({
            operation: "handler",
            partitionId: o.partitionId,
            error,
            willRetry: !exhausted,
            handlerId: handler[0],
            event,
            attempt,
            ...(exhausted ? { action: o.onFailure } : {}),
          });
        }
        if (exhausted) {
          if (o.onFailure === "skipEvent") {
            run.completeAll();
            this.lastCheckpointRequested = run.checkpointRequested;
            return { kind: "skipped", error: lastError };
          }
          // Only once the dead letter is stored may the checkpoint pass the event; otherwise it stops here.
          if (o.onFailure === "deadLetter" && (await o.deadLetter?.(event, lastError)) === true) {
            run.completeAll();
            this.lastCheckpointRequested = run.checkpointRequested;
            return { kind: "deadLettered", error: lastError };
          }
          // A stop that ended the dead-letter write is a stop, not a failure of the partition.
          if (o.onFailure === "deadLetter" && o.signal.aborted) {
            run.abandon(stoppedError(o.partitionId));
            return stopped;
          }
          run.abandon(
            new EphError(
              "Aborted",
              `Not checkpointed: a handler failed for good on event ${event.sequenceNumber} of partition ${o.partitionId}.`,
              { partitionId: o.partitionId },
            ),
          );
          return { kind: "failed", error: lastError };
        }
        try {
          await delay(o.clock, backoffDelay(attempt, o.retry.initialDelay, o.retry.maxDelay, o.random), o.signal);
        } catch {
          run.abandon(stoppedError(o.partitionId));
          return stopped;
        }
        // A handler unregistered meanwhile is not retried; it no longer holds the event back.
        const registered = new Set(o.handlers().map(([id]) => id));
        const retry: RegisteredHandler[] = [];
        for (const { handler } of failed) {
          if (registered.has(handler[0])) retry.push(handler);
          else run.done(handler[0]);
        }
        pending = retry;
        if (pending.length === 0) {
          this.lastCheckpointRequested = run.checkpointRequested;
          return handled;
        }
      }
    } finally {
      // One event at a time: handlers that said "done" through checkpoint() are still awaited.
      if (run.checkpointRequested) await run.settled();
    }
  }
}

function stoppedError(partitionId: string): EphError {
  return new EphError("Aborted", `Partition ${partitionId} stopped before the event completed.`, { partitionId });
}
