import type { ReceivedEventData } from "@azure/event-hubs";
import { type Checkpoint, type Clock, EphError, type HandlerID } from "@eph/core";
import { BatchBuffer, type RegisteredBatchHandler } from "./batch-buffer.js";
import { type BatchRunOptions, runBatch } from "./batch-run.js";
import type { CheckpointWriter } from "./checkpoint-writer.js";
import { positionOf } from "./event-run.js";

/** What a partition's {@link PartitionProgress} needs from its worker. */
export interface PartitionProgressOptions {
  readonly partitionId: string;
  readonly clock: Clock;
  readonly checkpointMode: "auto" | "manual";
  /**
   * True when the per-event handlers take one event at a time (`concurrency` 1): an event whose handlers
   * are all done is then the newest one they are done with, and its `checkpoint()` may store it at once.
   */
  readonly inOrder: boolean;
  readonly batchRun: BatchRunOptions;
  /** The batch handlers registered now (a new list whenever they change). */
  readonly batchHandlers: () => readonly RegisteredBatchHandler[];
  readonly writer: () => CheckpointWriter | undefined;
  /** False once the final checkpoint started: completions are no longer recorded. */
  readonly recording: () => boolean;
  /** Runs `work` after the partition's work in flight (a batch whose wait ran out). */
  readonly enqueue: (work: () => Promise<void>) => void;
  /** One more event completed by every handler. */
  readonly countEvent: () => void;
  /** A batch handler failed for good with `stopPartition`. */
  readonly failed: (error: unknown) => void;
}

/**
 * Which events of one partition every handler is done with. The per-event handlers finish an event
 * before it is fed here; each batch handler then holds it until its batch is done. The checkpoint only
 * ever moves to the newest event below which nothing is held (a contiguous watermark), so a crash never
 * skips an event a batch still held. Without batch handlers an event completes as it is fed.
 */
export class PartitionProgress {
  /** The last event given to the handlers: a reconnect reads from the one after it. */
  lastFed: Checkpoint | undefined;
  /** The last event every handler is done with. */
  lastHandled: Checkpoint | undefined;
  eventsProcessed = 0;
  eventsSkipped = 0;
  /** Events the handlers gave up on that were written to the dead-letter store. */
  eventsDeadLettered = 0;
  /** Events handed to the batch stage (completed or held). */
  eventsFed = 0;
  private readonly buffers = new Map<HandlerID, BatchBuffer>();
  private batchList: readonly RegisteredBatchHandler[] | undefined;
  /** Fed events not yet completed, oldest first, from `head` on. */
  private pending: Checkpoint[] = [];
  private head = 0;
  /** The newest position a handler asked to store (`checkpoint()`) that the watermark may not pass yet. */
  private requested: Checkpoint | undefined;

  constructor(private readonly o: PartitionProgressOptions) {}

  /** Picks up batch handlers registered or removed since the last call. */
  sync(): void {
    const list = this.o.batchHandlers();
    if (list === this.batchList) return;
    this.batchList = list;
    const ids = new Set(list.map((r) => r.id));
    for (const [id, buffer] of this.buffers) {
      // A handler removed no longer holds events back.
      if (!ids.has(id)) {
        buffer.close();
        this.buffers.delete(id);
      }
    }
    for (const registered of list) {
      if (!this.buffers.has(registered.id)) {
        this.buffers.set(registered.id, new BatchBuffer(registered, this.o.clock, (b) => this.waited(b)));
      }
    }
    this.advance();
  }

  /** True while a batch handler is registered (or was, and still holds events). */
  get hasBatchHandlers(): boolean {
    return this.buffers.size > 0;
  }

  /**
   * The per-event handlers are done with `event` (`how`: handled, or given up on and skipped or
   * dead-lettered): hands it to the batch
   * handlers and delivers the batches it fills. False when the partition must stop feeding. Without
   * batch handlers it answers at once, not as a promise (no microtask per event).
   */
  feed(event: ReceivedEventData, how: "handled" | "skipped" | "deadLettered"): boolean | Promise<boolean> {
    const position = positionOf(event);
    const previous = this.lastFed;
    this.lastFed = position;
    this.eventsFed++;
    if (how === "skipped") this.eventsSkipped++;
    if (how === "deadLettered") this.eventsDeadLettered++;
    if (this.buffers.size === 0 && this.head === this.pending.length) {
      const before = this.lastHandled;
      this.completed(position);
      if (this.requested !== undefined) this.releaseRequested(before);
      return true;
    }
    this.pending.push(position);
    for (const buffer of this.buffers.values()) if (!buffer.failed) buffer.add(event, previous);
    this.advance();
    return this.deliverReady(false, false);
  }

  /**
   * The receiver's delivery is over; `nothingWaiting` when it drained the receiver's buffer. Delivers
   * every batch that holds at least its `minBatchSize` then.
   */
  received(nothingWaiting: boolean): Promise<boolean> {
    return this.deliverReady(nothingWaiting, false);
  }

  /**
   * Every held batch is delivered now, whatever its size: when the partition is closing (nothing is held
   * past a close) and when the host's `maxInFlightEvents` is reached.
   */
  async deliverHeld(): Promise<void> {
    await this.deliverReady(true, true);
  }

  /**
   * A per-event handler's `checkpoint()`, once every per-event handler is done with `position`'s event:
   * stores what every handler is done with now, and `position` itself once the batch handlers are too.
   */
  async checkpointEvent(position: Checkpoint): Promise<void> {
    const writer = this.usableWriter();
    if (this.buffers.size === 0 && this.o.inOrder) {
      await writer.writeNow(position);
      return;
    }
    this.request(position);
    if (this.lastHandled !== undefined) await writer.writeNow(this.lastHandled);
  }

  /** Stops the batches' wait timers (the partition is gone). */
  close(): void {
    for (const buffer of this.buffers.values()) buffer.close();
  }

  private async deliverReady(nothingWaiting: boolean, closing: boolean): Promise<boolean> {
    let ok = true;
    for (const buffer of [...this.buffers.values()]) {
      if (buffer.trigger(nothingWaiting, closing) === undefined) continue;
      const delivered = await this.deliver(buffer);
      // While closing, one batch that could not complete does not keep the others from theirs.
      if (!delivered && !closing) return false;
      ok &&= delivered;
    }
    return ok;
  }

  private waited(buffer: BatchBuffer): void {
    this.o.enqueue(async () => {
      if (this.buffers.get(buffer.registered.id) !== buffer || !this.o.recording()) return;
      if (buffer.trigger(false) !== undefined) await this.deliver(buffer);
    });
  }

  private async deliver(buffer: BatchBuffer): Promise<boolean> {
    const events = buffer.take();
    const outcome = await runBatch(this.o.batchRun, buffer.registered, events, (event) =>
      this.checkpointBatch(buffer, events, event),
    );
    if (!this.o.recording()) return false;
    switch (outcome.kind) {
      case "stopped":
        return false;
      case "failed":
        buffer.failed = true;
        this.o.failed(outcome.error);
        return false;
      case "skipped":
        this.eventsSkipped += events.length;
        break;
      case "deadLettered":
        this.eventsDeadLettered += events.length;
        break;
      case "handled":
        break;
    }
    buffer.done();
    this.advance();
    return true;
  }

  private async checkpointBatch(
    buffer: BatchBuffer,
    events: readonly ReceivedEventData[],
    event: ReceivedEventData | undefined,
  ): Promise<void> {
    const target =
      event === undefined ? events[events.length - 1] : events.find((e) => e.sequenceNumber === event.sequenceNumber);
    if (target === undefined) {
      throw new EphError(
        "InvalidOption",
        `context.checkpoint(event): event ${String(event?.sequenceNumber)} is not one of this batch's (partition ${this.o.partitionId}).`,
        { partitionId: this.o.partitionId },
      );
    }
    const writer = this.usableWriter();
    const position = positionOf(target);
    buffer.doneThrough(position);
    this.request(position);
    this.advance();
    if (this.lastHandled !== undefined) await writer.writeNow(this.lastHandled);
  }

  private usableWriter(): CheckpointWriter {
    const writer = this.o.writer();
    if (!this.o.recording() || !writer) {
      throw new EphError("LeaseLost", `Partition ${this.o.partitionId} is being let go; its position was not stored.`, {
        partitionId: this.o.partitionId,
      });
    }
    return writer;
  }

  private request(position: Checkpoint): void {
    if (this.requested === undefined || position.sequenceNumber > this.requested.sequenceNumber) {
      this.requested = position;
    }
  }

  /** Completes every fed event below the oldest one a batch still holds. */
  private advance(): void {
    let limit = Number.POSITIVE_INFINITY;
    for (const buffer of this.buffers.values()) {
      const holds = buffer.holdsBack;
      if (holds !== undefined) limit = Math.min(limit, holds.position?.sequenceNumber ?? Number.NEGATIVE_INFINITY);
    }
    const before = this.lastHandled;
    while (this.head < this.pending.length && (this.pending[this.head] as Checkpoint).sequenceNumber <= limit) {
      this.completed(this.pending[this.head++] as Checkpoint);
    }
    if (this.head === this.pending.length) {
      this.pending = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
    this.releaseRequested(before);
  }

  /** A `checkpoint()` the watermark had not reached when it was asked for: stored once it has. */
  private releaseRequested(before: Checkpoint | undefined): void {
    const requested = this.requested;
    const now = this.lastHandled;
    if (requested === undefined || now === undefined || now === before) return;
    const reach = now.sequenceNumber >= requested.sequenceNumber ? requested : now;
    if (reach === requested) this.requested = undefined;
    // Failures are reported by the writer, which retries on its own schedule.
    this.o
      .writer()
      ?.writeNow(reach)
      .catch(() => undefined);
  }

  private completed(position: Checkpoint): void {
    this.lastHandled = position;
    this.eventsProcessed++;
    this.o.countEvent();
    if (this.o.checkpointMode === "auto") this.o.writer()?.handled(position);
  }
}
