import { type EnqueueStamp, type ParsedEvent, stampedSize, writeStampedEvent } from "./event-encoding.js";
import type { ResolvedRetention } from "./options.js";

/** One enqueued event. Its bytes live in a chunk shared with the other events of the same publish. */
export interface StoredEvent {
  sequenceNumber: number;
  offset: number;
  enqueuedTimeMs: number;
  chunk: Buffer;
  start: number;
  end: number;
  /** Bytes of the header section at the start of the event (delivery annotations go right after it). */
  headerLength: number;
}

/** The bytes of a stored event, as delivered to receivers. */
export function eventBytes(event: StoredEvent): Buffer {
  return event.chunk.subarray(event.start, event.end);
}

/** The newest event a partition ever had (kept after it expires, as Azure reports it). */
export interface LastEnqueued {
  sequenceNumber: number;
  offset: number;
  enqueuedTimeMs: number;
}

/** Receives what a partition stores and expires, so a durable store can mirror it. */
export interface PartitionLogPersistence {
  appended(events: readonly StoredEvent[]): void;
  expired(beginSequenceNumber: number): void;
}

/** Where a partition log continues from when it is restored. */
export interface PartitionLogState {
  events: StoredEvent[];
  nextSequenceNumber: number;
  nextOffset: number;
  lastEnqueued: LastEnqueued | undefined;
}

// Compact the backing array once this many expired slots sit at its front (and they are over half of it).
const COMPACT_AFTER = 4096;

/**
 * The events of one partition: sequence numbers start at 0 and are contiguous, offsets are byte positions
 * that only grow, enqueued times never go backwards. Retention drops events from the front.
 */
export class PartitionLog {
  readonly partitionId: string;
  private readonly retention: ResolvedRetention;
  // Expired slots at the front are cleared to undefined until the array is compacted.
  private events: Array<StoredEvent | undefined> = [];
  private head = 0;
  private bytes = 0;
  private nextSequenceNumber = 0;
  private nextOffset = 0;
  private last: LastEnqueued | undefined;
  private readonly listeners = new Set<() => void>();
  private persistence: PartitionLogPersistence | undefined;

  constructor(partitionId: string, retention: ResolvedRetention, state?: PartitionLogState) {
    this.partitionId = partitionId;
    this.retention = retention;
    if (state) {
      this.events = state.events;
      this.nextSequenceNumber = state.nextSequenceNumber;
      this.nextOffset = state.nextOffset;
      this.last = state.lastEnqueued;
      for (const e of state.events) this.bytes += e.end - e.start;
    }
  }

  /** Mirrors appends and expiry to a durable store. */
  persistTo(persistence: PartitionLogPersistence): void {
    this.persistence = persistence;
  }

  /** Sequence number of the oldest retained event (the next one to be written when nothing is retained). */
  get beginSequenceNumber(): number {
    const first = this.events[this.head];
    return first ? first.sequenceNumber : this.nextSequenceNumber;
  }

  /** Sequence number of the newest event ever written, -1 when none. */
  get lastSequenceNumber(): number {
    return this.nextSequenceNumber - 1;
  }

  /** The newest event ever written. */
  get lastEnqueued(): LastEnqueued | undefined {
    return this.last;
  }

  /** Number of retained events. */
  get retainedCount(): number {
    return this.events.length - this.head;
  }

  /** Bytes of retained events. */
  get retainedBytes(): number {
    return this.bytes;
  }

  /** Calls `listener` after every append; returns a function that removes it. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Enqueues a publish; all its events get the same enqueued time. Returns the stored events. */
  append(parsed: readonly ParsedEvent[], partitionKey: string | undefined, nowMs: number): StoredEvent[] {
    const enqueuedTimeMs = Math.max(nowMs, this.last?.enqueuedTimeMs ?? 0);
    const stamps: EnqueueStamp[] = [];
    const sizes: number[] = [];
    let offset = this.nextOffset;
    let total = 0;
    for (let i = 0; i < parsed.length; i++) {
      const stamp = { sequenceNumber: this.nextSequenceNumber + i, offset, enqueuedTimeMs, partitionKey };
      const size = stampedSize(parsed[i]!, stamp);
      stamps.push(stamp);
      sizes.push(size);
      offset += size;
      total += size;
    }
    const chunk = Buffer.allocUnsafe(total);
    const stored: StoredEvent[] = [];
    let pos = 0;
    for (let i = 0; i < parsed.length; i++) {
      const event = parsed[i]!;
      const stamp = stamps[i]!;
      const end = writeStampedEvent(chunk, pos, event, stamp);
      const record: StoredEvent = {
        sequenceNumber: stamp.sequenceNumber,
        offset: stamp.offset,
        enqueuedTimeMs,
        chunk,
        start: pos,
        end,
        headerLength: event.headerEnd,
      };
      stored.push(record);
      this.events.push(record);
      pos = end;
    }
    this.bytes += total;
    this.nextSequenceNumber += parsed.length;
    this.nextOffset = offset;
    const newest = stored[stored.length - 1];
    if (newest) {
      this.last = { sequenceNumber: newest.sequenceNumber, offset: newest.offset, enqueuedTimeMs };
    }
    this.persistence?.appended(stored);
    this.expire(nowMs);
    for (const listener of this.listeners) listener();
    return stored;
  }

  /** Drops events beyond the retention limits (count, bytes, age). */
  expire(nowMs: number): void {
    const { maxEventsPerPartition, maxBytesPerPartition, maxAgeMs } = this.retention;
    const oldestAllowed = nowMs - maxAgeMs;
    const before = this.head;
    while (this.head < this.events.length) {
      const first = this.events[this.head]!;
      const over =
        this.events.length - this.head > maxEventsPerPartition ||
        this.bytes > maxBytesPerPartition ||
        first.enqueuedTimeMs < oldestAllowed;
      if (!over) break;
      this.bytes -= first.end - first.start;
      this.events[this.head] = undefined;
      this.head++;
    }
    if (this.head === before) return;
    if (this.head === this.events.length) {
      this.events = [];
      this.head = 0;
    } else if (this.head > COMPACT_AFTER && this.head * 2 > this.events.length) {
      this.events = this.events.slice(this.head);
      this.head = 0;
    }
    this.persistence?.expired(this.beginSequenceNumber);
  }

  /** The retained event with this sequence number. */
  at(sequenceNumber: number): StoredEvent | undefined {
    const first = this.events[this.head];
    if (!first) return undefined;
    const index = this.head + (sequenceNumber - first.sequenceNumber);
    return index >= this.head ? this.events[index] : undefined;
  }

  /** Sequence number of the first retained event whose offset is at least `offset` (next one if none). */
  sequenceAtOffset(offset: number): number {
    const index = this.search((e) => e.offset >= offset);
    return this.events[index]?.sequenceNumber ?? this.nextSequenceNumber;
  }

  /** Sequence number of the first retained event enqueued after `timeMs` (next one if none). */
  sequenceEnqueuedAfter(timeMs: number): number {
    const index = this.search((e) => e.enqueuedTimeMs > timeMs);
    return this.events[index]?.sequenceNumber ?? this.nextSequenceNumber;
  }

  /** Index of the first retained event for which `atOrAfter` holds (it must be monotonic). */
  private search(atOrAfter: (e: StoredEvent) => boolean): number {
    let lo = this.head;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (atOrAfter(this.events[mid]!)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** State to restore an equivalent log from (used by the durable store). */
  snapshot(): PartitionLogState {
    return {
      events: this.events.slice(this.head) as StoredEvent[],
      nextSequenceNumber: this.nextSequenceNumber,
      nextOffset: this.nextOffset,
      lastEnqueued: this.last,
    };
  }
}
