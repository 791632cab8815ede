/** A durable position in one partition: the seed's `persist.Checkpoint`. */
export interface Checkpoint {
  /** Offset of the last processed event, as the service reports it. */
  readonly offset: string;
  /** Sequence number of the last processed event. Checkpoints never move to a lower value. */
  readonly sequenceNumber: number;
  /** When the last processed event was enqueued. */
  readonly enqueuedTime: Date;
}

/** True when `next` would move a partition's position backwards from `current`. */
export function isRegression(current: Checkpoint | undefined, next: Checkpoint): boolean {
  return current !== undefined && next.sequenceNumber < current.sequenceNumber;
}
