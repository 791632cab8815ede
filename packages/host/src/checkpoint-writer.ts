import {
  type Checkpoint,
  type Checkpointer,
  type Clock,
  EphError,
  isEphError,
  type StoreCallPriority,
  type StoreCallQueue,
  type TimerHandle,
} from "@eph/core";
import type { CheckpointWriteResult } from "./host-metrics.js";

/** Settings of one partition's {@link CheckpointWriter}. */
export interface CheckpointWriterOptions {
  readonly partitionId: string;
  /** Epoch of this host's lease: every write carries it, so a deposed owner's writes are refused. */
  readonly epoch: number;
  readonly checkpointer: Checkpointer;
  readonly clock: Clock;
  /** The host's store-call queue: every write goes through it. */
  readonly calls: StoreCallQueue;
  /** Write after this many handled events. */
  readonly everyEvents: number;
  /** Write at most this long after the first unwritten handled event. */
  readonly everyMs: number;
  /** Deadline of one write (ms). */
  readonly timeout: number;
  /** Told about every failed write; `willRetry` is false once the store refused this owner for good. */
  readonly onError: (error: unknown, willRetry: boolean) => void;
  /** Told how every write ended (for metrics). */
  readonly onWrite?: ((result: CheckpointWriteResult) => void) | undefined;
}

/** The one write of a writer that is queued or in flight, with what is needed to withdraw it unsent. */
interface PendingWrite {
  readonly priority: StoreCallPriority;
  /** Set once the store-call queue sends the write; from then on only its deadline ends it. */
  sent: boolean;
  /** Aborted to withdraw the write while it is still queued. */
  readonly withdraw: AbortController;
  /** The more urgent write that took this one's place, once it was withdrawn. */
  replacement?: Promise<void>;
}

/** Ranks of store-call priorities, most urgent first (the order of {@link StoreCallPriority}). */
const urgency: Readonly<Record<StoreCallPriority, number>> = { keep: 0, release: 1, routine: 2, take: 3 };

/**
 * Stores one partition's position, coalescing: at most one write is in flight, and a write always
 * carries the newest eligible position, so a backlog of handled events costs one write, not one per
 * event. Positions only move forward.
 */
export class CheckpointWriter {
  private eligible: Checkpoint | undefined;
  private stored: Checkpoint | undefined;
  private sinceWrite = 0;
  private timer: TimerHandle | undefined;
  private writing: Promise<void> | undefined;
  private pending: PendingWrite | undefined;
  private closed = false;
  private refused = false;
  private writes = 0;

  /** `initial` is the checkpoint the partition started after. */
  constructor(
    private readonly options: CheckpointWriterOptions,
    initial: Checkpoint | undefined,
  ) {
    this.stored = initial;
  }

  /** The last position stored by this writer (or the one it started after). */
  get checkpoint(): Checkpoint | undefined {
    return this.stored;
  }

  /** Writes completed by this writer. */
  get writeCount(): number {
    return this.writes;
  }

  /** True once the store refused this owner's writes (fenced by a newer owner, or a regression). */
  get isRefused(): boolean {
    return this.refused;
  }

  /** Automatic mode: an event was handled; write when the count or the time says so. */
  handled(position: Checkpoint): void {
    this.raise(position);
    this.sinceWrite++;
    // While a write is in flight nothing more is started: it re-checks the count when it completes.
    if (this.writing) return;
    if (this.sinceWrite >= this.options.everyEvents) this.flushInBackground();
    else this.arm(this.options.everyMs);
  }

  /** Makes `position` eligible without writing it yet (it goes out with the next write or flush). */
  raise(position: Checkpoint): void {
    if (this.eligible === undefined || position.sequenceNumber > this.eligible.sequenceNumber) {
      this.eligible = position;
    }
  }

  /** Stores `position` (or a later eligible one) now; resolves once it is stored. */
  async writeNow(position: Checkpoint): Promise<void> {
    this.raise(position);
    await this.flush();
  }

  /**
   * Stores the newest eligible position; resolves once it is stored, rejects if the write failed.
   * Waits for a write in flight first (it may carry an older position), then writes at most once;
   * a more urgent flush does not wait for a less urgent write the store-call queue has not sent yet,
   * it withdraws that write and goes in its place.
   * `priority` is `"keep"` for the final write of a partition being let go: it goes before the
   * host's routine writes and acquisitions, so a close or handoff loses no position to a burst.
   */
  async flush(priority: StoreCallPriority = "routine"): Promise<void> {
    const target = this.eligible;
    if (target === undefined) return;
    const queued = this.pending;
    if (queued && !queued.sent && urgency[priority] < urgency[queued.priority] && !this.refused) {
      // A more urgent write (the final one of a partition let go) does not wait behind a routine
      // write still queued: the queue may keep that one unsent for as long as urgent calls keep
      // coming, or the store stays away. It withdraws it and goes in its place, carrying the newest
      // position, which is at least what the withdrawn one carried.
      const replacement = this.startWrite(priority);
      queued.replacement = replacement;
      queued.withdraw.abort();
      await replacement;
      return;
    }
    if (this.writing) await this.writing.catch(() => undefined);
    if (this.isStored(target)) return;
    if (this.refused) {
      throw new EphError(
        "CheckpointFenced",
        `Checkpoints of partition ${this.options.partitionId} at epoch ${this.options.epoch} are refused: a newer owner holds it.`,
        { partitionId: this.options.partitionId },
      );
    }
    // Several waiters may wake together: the first starts the write, the others share it. It carries
    // the newest eligible position, which is at least `target`.
    await (this.writing ?? this.startWrite(priority));
  }

  /** Stops timed writes; an explicit `flush()` still works. */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private isStored(position: Checkpoint): boolean {
    return this.stored !== undefined && this.stored.sequenceNumber >= position.sequenceNumber;
  }

  private startWrite(priority: StoreCallPriority): Promise<void> {
    const pending: PendingWrite = { priority, sent: false, withdraw: new AbortController() };
    this.pending = pending;
    const writing: Promise<void> = this.write(this.eligible as Checkpoint, pending).finally(() => {
      if (this.writing === writing) this.writing = undefined;
      if (this.pending === pending) this.pending = undefined;
    });
    this.writing = writing;
    return writing;
  }

  private flushInBackground(): void {
    this.flush().catch(() => undefined);
  }

  private arm(ms: number): void {
    if (this.timer !== undefined || this.closed || this.refused) return;
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined;
      this.flushInBackground();
    }, ms);
  }

  private async write(position: Checkpoint, pending: PendingWrite): Promise<void> {
    const { partitionId, epoch, checkpointer, clock, timeout, calls } = this.options;
    if (this.timer !== undefined) clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.sinceWrite = 0;
    try {
      await calls.run(
        {
          priority: pending.priority,
          what: `Writing the checkpoint of partition ${partitionId}`,
          timeout,
          abortSignal: pending.withdraw.signal,
        },
        (abortSignal) => {
          pending.sent = true;
          return checkpointer.updateCheckpoint(partitionId, position, { epoch, abortSignal });
        },
      );
      this.writes++;
      this.options.onWrite?.("written");
      if (this.stored === undefined || position.sequenceNumber > this.stored.sequenceNumber) this.stored = position;
      if (this.eligible !== undefined && !this.isStored(this.eligible)) {
        // Events handled while this write was in flight: write them when the policy says so.
        if (this.sinceWrite >= this.options.everyEvents) queueMicrotask(() => this.flushInBackground());
        else this.arm(this.options.everyMs);
      }
    } catch (error) {
      // Withdrawn unsent for a more urgent write: that write's outcome is this one's.
      if (pending.replacement !== undefined && !pending.sent) return pending.replacement;
      // A newer owner raised the fence (or wrote further): this host must stop writing, not retry.
      const final = isEphError(error, "CheckpointFenced") || isEphError(error, "CheckpointRegressed");
      if (final) this.refused = true;
      this.options.onWrite?.(final ? "fenced" : "failed");
      this.options.onError(error, !final && !this.closed);
      if (!final) this.arm(this.options.everyMs);
      throw error;
    }
  }
}
