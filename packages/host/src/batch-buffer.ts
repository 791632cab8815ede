import type { ReceivedEventData } from "@azure/event-hubs";
import type { Checkpoint, Clock, HandlerID, TimerHandle } from "@eph/core";
import type { BatchHandler, ResolvedBatchOptions } from "./batch-handler.js";

/** A registered batch handler, as the host lists them. */
export interface RegisteredBatchHandler {
  readonly id: HandlerID;
  readonly handler: BatchHandler;
  readonly options: ResolvedBatchOptions;
}

/** Why a held batch is delivered now. */
export type BatchTrigger =
  /** It holds `maxBatchSize` events. */
  | "full"
  /** It holds at least `minBatchSize` and the receiver has nothing more waiting. */
  | "drained"
  /** `maxWaitTimeInSeconds` passed since its first event. */
  | "waited"
  /** The partition is closing: nothing is held past a close. */
  | "closing";

/**
 * The delivery rule, as a pure function: whether a batch of `count` events is to be delivered, and
 * why. `nothingWaiting` is true when the receiver's last delivery drained its buffer; `waitedMs` is the
 * time since the batch's first event. Never an empty batch.
 */
export function batchTrigger(
  count: number,
  options: ResolvedBatchOptions,
  nothingWaiting: boolean,
  waitedMs: number,
  closing = false,
): BatchTrigger | undefined {
  if (count === 0) return undefined;
  if (count >= options.maxBatchSize) return "full";
  if (closing) return "closing";
  if (nothingWaiting && count >= options.minBatchSize) return "drained";
  if (waitedMs >= options.maxWaitTimeInSeconds * 1000) return "waited";
  return undefined;
}

/**
 * One batch handler's events of one partition, from the first event not yet delivered on. It holds
 * back the checkpoint: nothing at or after `before`'s successor may be stored until the batch is done.
 */
export class BatchBuffer {
  private held: ReceivedEventData[] = [];
  private firstAt = 0;
  private timer: TimerHandle | undefined;
  /**
   * The position just before the oldest event this handler is not done with, while it holds any
   * (`undefined` inside: nothing was handled before it since the partition started).
   */
  private doneBefore: { readonly position: Checkpoint | undefined } | undefined;
  /** Set when the handler failed for good on its batch: it holds the checkpoint where it is. */
  failed = false;

  constructor(
    readonly registered: RegisteredBatchHandler,
    private readonly clock: Clock,
    /** Called when `maxWaitTimeInSeconds` has passed since the first held event. */
    private readonly onWaited: (buffer: BatchBuffer) => void,
  ) {}

  /** Events held. */
  get size(): number {
    return this.held.length;
  }

  /**
   * While this handler holds events: `{ position }`, the last position it is done with (undefined:
   * none since the partition started). `undefined` when it holds nothing back.
   */
  get holdsBack(): { readonly position: Checkpoint | undefined } | undefined {
    return this.doneBefore;
  }

  /** Adds the next event; `previous` is the position of the event fed before it. */
  add(event: ReceivedEventData, previous: Checkpoint | undefined): void {
    if (this.held.length === 0) {
      this.firstAt = this.clock.now();
      this.doneBefore ??= { position: previous };
      const wait = this.registered.options.maxWaitTimeInSeconds * 1000;
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        this.onWaited(this);
      }, wait);
    }
    this.held.push(event);
  }

  /** Why the held batch is to be delivered now, if it is. */
  trigger(nothingWaiting: boolean, closing = false): BatchTrigger | undefined {
    if (this.failed) return undefined;
    return batchTrigger(
      this.held.length,
      this.registered.options,
      nothingWaiting,
      this.clock.now() - this.firstAt,
      closing,
    );
  }

  /** Takes the held events for delivery; they hold the checkpoint back until {@link done}. */
  take(): ReceivedEventData[] {
    const events = this.held;
    this.held = [];
    this.cancelTimer();
    return events;
  }

  /** The handler is done with every event up to `position` (it called `checkpoint(event)`). */
  doneThrough(position: Checkpoint): void {
    if (this.doneBefore !== undefined) this.doneBefore = { position };
  }

  /** The batch taken is done (handled, or skipped): nothing is held back any more. */
  done(): void {
    if (this.held.length === 0) this.doneBefore = undefined;
  }

  /** Stops the wait timer (the partition is gone). */
  close(): void {
    this.cancelTimer();
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
