import type { ReceivedEventData } from "@azure/event-hubs";
import type { Checkpoint, HandlerID } from "@eph/core";
import { EventCompletion } from "./event-completion.js";
import type { EventHandler, HandlerContext } from "./handler.js";
import type { HostErrorInfo } from "./host-events.js";
import { callSignal, type RunningHandlers } from "./running-handlers.js";

/** A registered handler, as the host lists them. */
export type RegisteredHandler = readonly [HandlerID, EventHandler];

/** How one handler's attempt on an event ended. */
export type AttemptResult = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

/** The result shared by every successful attempt (allocated once). */
export const succeeded: AttemptResult = { ok: true };

/** What an {@link EventRun} needs from its partition. */
export interface EventRunOptions {
  readonly partitionId: string;
  readonly epoch: number;
  readonly signal: AbortSignal;
  /** Stores `position` now (a handler called `checkpoint()`). */
  readonly checkpointNow: (position: Checkpoint) => Promise<void>;
  readonly report: (info: HostErrorInfo) => void;
  /** Longest a handler call may run before it counts as failed (ms); undefined: no limit. */
  readonly handlerTimeout: number | undefined;
  /** The partition's handler calls still running. */
  readonly running: RunningHandlers;
}

/** The position of an event, as a checkpoint. */
export function positionOf(event: ReceivedEventData): Checkpoint {
  return { offset: String(event.offset), sequenceNumber: event.sequenceNumber, enqueuedTime: event.enqueuedTimeUtc };
}

/**
 * One event on its way through the handlers: calls them, collects how each attempt ended, and serves
 * `context.checkpoint()`. Handlers that return synchronously cost no promise: an attempt whose handlers
 * all returned without a promise yields its results at once, which is what lets a partition run a batch
 * of synchronous handlers without a microtask per event. The bookkeeping `checkpoint()` needs (which
 * handlers are done) starts only when a handler first calls it.
 */
export class EventRun {
  private completion: EventCompletion | undefined;
  /** Handlers done before any `checkpoint()` call, kept only when there is more than one handler. */
  private finishedEarly: HandlerID[] | undefined;
  private outstanding: Promise<unknown>[] | undefined;

  constructor(
    private readonly options: EventRunOptions,
    readonly event: ReceivedEventData,
    private readonly handlers: readonly RegisteredHandler[],
  ) {}

  /** True once a handler asked for the event's position to be stored. */
  get checkpointRequested(): boolean {
    return this.completion?.checkpointRequested ?? false;
  }

  /**
   * Calls every handler of `pending` on the event. Returns the results directly when each handler
   * returned, threw, or called `checkpoint()` synchronously; otherwise a promise that resolves once each
   * has (so one handler awaiting its checkpoint never blocks the retry of another it waits for).
   */
  attempt(pending: readonly RegisteredHandler[], attempt: number): AttemptResult[] | Promise<AttemptResult[]> {
    const results: (AttemptResult | undefined)[] = new Array(pending.length);
    let unsettled = pending.length;
    let resolveAll: ((results: AttemptResult[]) => void) | undefined;
    const settle = (i: number, result: AttemptResult): void => {
      if (results[i] !== undefined) return;
      results[i] = result;
      if (--unsettled === 0) resolveAll?.(results as AttemptResult[]);
    };
    for (let i = 0; i < pending.length; i++) {
      const [id, handler] = pending[i] as RegisteredHandler;
      let declared = false;
      const o = this.options;
      const call = callSignal(o.signal, o.handlerTimeout);
      const context: HandlerContext = {
        partitionId: o.partitionId,
        epoch: o.epoch,
        signal: call.signal,
        checkpoint: () => {
          declared = true;
          const written = this.requestCheckpoint(id);
          settle(i, succeeded);
          return written;
        },
      };
      let returned: unknown;
      try {
        returned = handler(this.event, context);
      } catch (error) {
        this.failed(i, id, error, declared, attempt, settle);
        continue;
      }
      if (!isThenable(returned)) {
        this.done(id);
        settle(i, succeeded);
        continue;
      }
      let timedOut = false;
      let gaveUp: (() => void) | undefined;
      const end = o.running.watch(id, this.event.sequenceNumber, o.partitionId, o.handlerTimeout, (error) => {
        // Stop waiting for it: it fails this attempt (or, once it declared itself done, is reported).
        timedOut = true;
        call.abort(error);
        this.failed(i, id, error, declared, attempt, settle);
        gaveUp?.();
      });
      const tracked = Promise.resolve(returned).then(
        () => {
          end();
          if (timedOut) return;
          this.done(id);
          settle(i, succeeded);
        },
        (error: unknown) => {
          end();
          if (!timedOut) this.failed(i, id, error, declared, attempt, settle);
        },
      );
      this.outstanding ??= [];
      this.outstanding.push(
        o.handlerTimeout === undefined
          ? tracked
          : new Promise<void>((resolve) => {
              gaveUp = resolve;
              tracked.then(resolve, resolve);
            }),
      );
    }
    if (unsettled === 0) return results as AttemptResult[];
    return new Promise<AttemptResult[]>((resolve) => {
      resolveAll = resolve;
    });
  }

  /** The handler finished the event successfully. */
  done(id: HandlerID): void {
    if (this.completion) {
      this.completion.done(id);
    } else if (this.handlers.length > 1) {
      // With one handler, only that handler can call checkpoint(), which itself declares it done.
      this.finishedEarly ??= [];
      this.finishedEarly.push(id);
    }
  }

  /** Every handler counts as done (the event is skipped). */
  completeAll(): void {
    this.completion?.completeAll();
  }

  /** The event will not complete: pending `checkpoint()` calls reject with `error`. */
  abandon(error: unknown): void {
    this.completion?.abandon(error);
  }

  /** Waits for every handler still running on the event (those that declared themselves done early). */
  async settled(): Promise<void> {
    if (this.outstanding) await Promise.allSettled(this.outstanding);
  }

  private requestCheckpoint(id: HandlerID): Promise<void> {
    if (!this.completion) {
      this.completion = new EventCompletion(
        this.handlers.map(([handlerId]) => handlerId),
        () => this.options.checkpointNow(positionOf(this.event)),
      );
      for (const finished of this.finishedEarly ?? []) this.completion.done(finished);
    }
    return this.completion.requestCheckpoint(id);
  }

  private failed(
    i: number,
    id: HandlerID,
    error: unknown,
    declared: boolean,
    attempt: number,
    settle: (i: number, result: AttemptResult) => void,
  ): void {
    if (!declared) {
      settle(i, { ok: false, error });
      return;
    }
    // It already said it was done (and its position may be stored): report, do not retry.
    this.options.report({
      operation: "handler",
      partitionId: this.options.partitionId,
      error,
      willRetry: false,
      handlerId: id,
      event: this.event,
      attempt,
    });
  }
}

/** True for a promise or anything with a `then` method. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
