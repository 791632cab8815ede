import { AmqpFailure, Condition } from "./amqp-error.js";

/** Readers Event Hubs allows at once on one partition of one consumer group. */
export const MAX_READERS_PER_PARTITION = 5;

/** A receiver link reading a partition, as far as exclusivity is concerned. */
export interface ReaderHandle {
  /** Owner level; undefined for a receiver without epoch. */
  readonly epoch: number | undefined;
  /** Human-readable name for error messages. */
  readonly name: string;
  /** Closes the link with `amqp:link:stolen` (or another condition) and forgets the reader. */
  disconnect(condition: string, description: string): void;
}

/**
 * The readers of one partition in one consumer group, with the epoch rules Event Hubs documents: a receiver
 * whose epoch is greater than or equal to the current one displaces every current reader (their links close
 * with `amqp:link:stolen`); a lower epoch is refused the same way; a receiver without epoch is refused while an
 * epoch receiver holds the partition; at most five readers at once.
 */
export class ReaderSlot {
  private readonly readers = new Set<ReaderHandle>();

  constructor(private readonly label: string) {}

  /** Admits `candidate`, displacing readers it outranks; throws AmqpFailure when it is refused. */
  admit(candidate: ReaderHandle): void {
    const epochReaders = [...this.readers].filter((r) => r.epoch !== undefined);
    const highest = epochReaders.reduce<number | undefined>(
      (max, r) => (max === undefined || r.epoch! > max ? r.epoch : max),
      undefined,
    );
    if (candidate.epoch !== undefined) {
      if (highest !== undefined && highest > candidate.epoch) {
        throw new AmqpFailure(
          Condition.linkStolen,
          `Receiver '${candidate.name}' with epoch '${candidate.epoch}' cannot be created because a receiver with higher epoch '${highest}' already exists on ${this.label}. Create receivers with increasing epoch values.`,
        );
      }
      for (const reader of [...this.readers]) {
        this.readers.delete(reader);
        reader.disconnect(
          Condition.linkStolen,
          `New receiver '${candidate.name}' with higher epoch of '${candidate.epoch}' is created hence current receiver '${reader.name}' with epoch '${reader.epoch ?? "none"}' is getting disconnected from ${this.label}.`,
        );
      }
    } else {
      if (highest !== undefined) {
        throw new AmqpFailure(
          Condition.linkStolen,
          `Receiver '${candidate.name}' without epoch cannot be created because a receiver with epoch '${highest}' already exists on ${this.label}.`,
        );
      }
      if (this.readers.size >= MAX_READERS_PER_PARTITION) {
        throw new AmqpFailure(
          Condition.resourceLimitExceeded,
          `Exceeded the maximum number of allowed receivers per partition in a consumer group which is ${MAX_READERS_PER_PARTITION} (${this.label}).`,
        );
      }
    }
    this.readers.add(candidate);
  }

  /** Forgets a reader whose link closed. */
  remove(reader: ReaderHandle): void {
    this.readers.delete(reader);
  }

  /** Disconnects every reader with the given condition (fault injection). Returns how many. */
  disconnectAll(condition: string, description: string): number {
    const readers = [...this.readers];
    this.readers.clear();
    for (const reader of readers) reader.disconnect(condition, description);
    return readers.length;
  }

  /** Number of readers. */
  get size(): number {
    return this.readers.size;
  }
}
