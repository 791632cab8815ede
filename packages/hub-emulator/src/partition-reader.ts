import type { Sender } from "rhea";
import { encodeRuntimeMetrics } from "./event-encoding.js";
import { eventBytes, type PartitionLog } from "./partition-log.js";
import type { ReaderHandle, ReaderSlot } from "./reader-slot.js";

/** What a reader needs besides its link and partition. */
export interface PartitionReaderOptions {
  name: string;
  epoch: number | undefined;
  startSequenceNumber: number;
  /** Attach last-enqueued runtime metrics to each delivery (trackLastEnqueuedEventProperties). */
  runtimeMetrics: boolean;
  clock: () => number;
  /** Called once when the reader stops, whatever the reason. */
  onClosed: (reader: PartitionReader) => void;
}

/**
 * Streams one partition to one receiver link, strictly within the credit the receiver grants: events are
 * sent only while the link is sendable, and the rest wait in the partition log.
 */
export class PartitionReader implements ReaderHandle {
  readonly name: string;
  readonly epoch: number | undefined;
  private next: number;
  private closed = false;
  private readonly unsubscribe: () => void;

  constructor(
    readonly link: Sender,
    private readonly log: PartitionLog,
    private readonly slot: ReaderSlot,
    private readonly options: PartitionReaderOptions,
  ) {
    this.name = options.name;
    this.epoch = options.epoch;
    this.next = options.startSequenceNumber;
    this.unsubscribe = log.onAppend(() => this.pump());
  }

  /** Sequence number of the next event this reader will send. */
  get position(): number {
    return this.next;
  }

  /** Sends as many events as credit allows. */
  pump(): void {
    if (this.closed) return;
    if (!this.link.is_open()) return;
    const { log, link } = this;
    let metrics: Buffer | undefined;
    while (link.sendable()) {
      if (this.next < log.beginSequenceNumber) this.next = log.beginSequenceNumber;
      const event = log.at(this.next);
      if (!event) break;
      let payload = eventBytes(event);
      if (this.options.runtimeMetrics) {
        metrics ??= this.runtimeMetrics();
        payload = Buffer.concat([
          payload.subarray(0, event.headerLength),
          metrics,
          payload.subarray(event.headerLength),
        ]);
      }
      link.send(payload, undefined, 0);
      this.next++;
    }
  }

  private runtimeMetrics(): Buffer {
    const last = this.log.lastEnqueued;
    return encodeRuntimeMetrics({
      sequenceNumber: last?.sequenceNumber ?? -1,
      offset: last?.offset ?? -1,
      enqueuedTimeMs: last?.enqueuedTimeMs ?? 0,
      retrievalTimeMs: this.options.clock(),
    });
  }

  /** Closes the link with an error (epoch takeover or fault injection). */
  disconnect(condition: string, description: string): void {
    if (this.closed) return;
    this.stop();
    if (this.link.is_open()) this.link.close({ condition, description });
  }

  /** Stops reading without touching the link (it closed or its connection went away). */
  stop(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.slot.remove(this);
    this.options.onClosed(this);
  }
}
