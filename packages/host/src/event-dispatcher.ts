import type { ReceivedEventData } from "@azure/event-hubs";
import { type Checkpoint, type Clock, delay, EphError, type HandlerID, type RandomSource } from "@eph/core";
import { backoffDelay } from "./backoff.js";
import { EventCompletion } from "./event-completion.js";
import type { EventHandler, HandlerContext } from "./handler.js";
import type { HandlerFailureAction, HostErrorInfo } from "./host-events.js";
import type { HandlerRetryPolicy } from "./host-options.js";

/** What became of one event. */
export type DispatchOutcome =
  /** Every handler completed it. */
  | { readonly kind: "handled" }
  /** A handler kept failing and the policy is `skipEvent`: the event counts as processed. */
  | { readonly kind: "skipped"; readonly error: unknown }
  /** A handler kept failing and the policy is `stopPartition`: nothing may be checkpointed past it. */
  | { readonly kind: "failed"; readonly error: unknown }
  /** The partition is stopping: the event did not complete. */
  | { readonly kind: "stopped" };

/** What a {@link EventDispatcher} needs. */
export interface EventDispatcherOptions {
  readonly partitionId: string;
  readonly epoch: number;
  /** Fires when the partition stops: retries end, handlers are told through `context.signal`. */
  readonly signal: AbortSignal;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly retry: Required<HandlerRetryPolicy>;
  readonly onFailure: HandlerFailureAction;
  /** The handlers registered now. */
  readonly handlers: () => ReadonlyArray<readonly [HandlerID, EventHandler]>;
  /** Stores `position` now (a handler called `checkpoint()`). */
  readonly checkpointNow: (position: Checkpoint) => Promise<void>;
  readonly report: (info: HostErrorInfo) => void;
}

type AttemptResult = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

/** The position of an event, as a checkpoint. */
export function positionOf(event: ReceivedEventData): Checkpoint {
  return { offset: String(event.offset), sequenceNumber: event.sequenceNumber, enqueuedTime: event.enqueuedTimeUtc };
}

/**
 * Gives one partition's events to every registered handler. Handlers of one event run concurrently;
 * the next event starts only once all of them are done. A handler that fails is retried on the same
 * event with backoff (handlers that succeeded are not called again); when retries run out the failure
 * is reported and the policy decides: stop the partition, or skip the event. Nothing is dropped silently.
 */
export class EventDispatcher {
  /** True when the last `dispatch` ended with a handler asking for a checkpoint. */
  lastCheckpointRequested = false;

  constructor(private readonly options: EventDispatcherOptions) {}

  /** Runs the handlers on `event` until it completes, is skipped, fails for good, or the partition stops. */
  async dispatch(event: ReceivedEventData): Promise<DispatchOutcome> {
    const o = this.options;
    this.lastCheckpointRequested = false;
    let pending: ReadonlyArray<readonly [HandlerID, EventHandler]> = o.handlers();
    if (pending.length === 0 || o.signal.aborted) return { kind: "stopped" };
    const position = positionOf(event);
    const completion = new EventCompletion(
      pending.map(([id]) => id),
      () => o.checkpointNow(position),
    );
    const outstanding: Promise<unknown>[] = [];
    let lastError: unknown;
    try {
      for (let attempt = 1; ; attempt++) {
        const results = await this.runAttempt(pending, event, attempt, completion, outstanding);
        const failed: { handler: (typeof pending)[number]; error: unknown }[] = [];
        results.forEach((result, i) => {
          if (!result.ok) failed.push({ handler: pending[i] as (typeof pending)[number], error: result.error });
        });
        if (failed.length === 0) {
          this.lastCheckpointRequested = completion.checkpointRequested;
          return { kind: "handled" };
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
            completion.completeAll();
            this.lastCheckpointRequested = completion.checkpointRequested;
            return { kind: "skipped", error: lastError };
          }
          completion.abandon(
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
          completion.abandon(stoppedError(o.partitionId));
          return { kind: "stopped" };
        }
        // A handler unregistered meanwhile is not retried; it no longer holds the event back.
        const registered = new Set(o.handlers().map(([id]) => id));
        const retry: Array<readonly [HandlerID, EventHandler]> = [];
        for (const { handler } of failed) {
          if (registered.has(handler[0])) retry.push(handler);
          else completion.done(handler[0]);
        }
        pending = retry;
        if (pending.length === 0) {
          this.lastCheckpointRequested = completion.checkpointRequested;
          return { kind: "handled" };
        }
      }
    } finally {
      // One event at a time: handlers that said "done" through checkpoint() are still awaited.
      if (completion.checkpointRequested) await Promise.allSettled(outstanding);
    }
  }

  /**
   * Calls every pending handler on the event; resolves once each has returned, thrown, or declared itself
   * done through `checkpoint()` (so one handler awaiting its checkpoint never blocks the retry of
   * another, which that checkpoint waits for). One promise per attempt keeps the hot path cheap.
   */
  private runAttempt(
    pending: ReadonlyArray<readonly [HandlerID, EventHandler]>,
    event: ReceivedEventData,
    attempt: number,
    completion: EventCompletion,
    outstanding: Promise<unknown>[],
  ): Promise<AttemptResult[]> {
    const o = this.options;
    return new Promise<AttemptResult[]>((resolve) => {
      const results: (AttemptResult | undefined)[] = new Array(pending.length);
      let remaining = pending.length;
      const settle = (i: number, result: AttemptResult) => {
        if (results[i] !== undefined) return;
        results[i] = result;
        if (--remaining === 0) resolve(results as AttemptResult[]);
      };
      pending.forEach(([id, handler], i) => {
        let declared = false;
        const context: HandlerContext = {
          partitionId: o.partitionId,
          epoch: o.epoch,
          signal: o.signal,
          checkpoint: () => {
            declared = true;
            const written = completion.requestCheckpoint(id);
            settle(i, succeeded);
            return written;
          },
        };
        let run: Promise<void>;
        try {
          run = Promise.resolve(handler(event, context));
        } catch (error) {
          run = Promise.reject(error);
        }
        const tracked = run.then(
          () => {
            completion.done(id);
            settle(i, succeeded);
          },
          (error: unknown) => {
            if (!declared) {
              settle(i, { ok: false, error });
              return;
            }
            // It already said it was done (and its position may be stored): report, do not retry.
            o.report({
              operation: "handler",
              partitionId: o.partitionId,
              error,
              willRetry: false,
              handlerId: id,
              event,
              attempt,
            });
          },
        );
        outstanding.push(tracked);
      });
    });
  }
}

const succeeded: AttemptResult = { ok: true };

function stoppedError(partitionId: string): EphError {
  return new EphError("Aborted", `Partition ${partitionId} stopped before the event completed.`, { partitionId });
}
