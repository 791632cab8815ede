import { type Checkpoint, EphError } from "@eph/core";
import { type RecordScope as CheckpointScope, describeRecord } from "@eph/memory-common";

/** A stored position; the time is kept as epoch milliseconds so no `Date` object is ever shared. */
export interface StoredPosition {
  readonly offset: string;
  readonly sequenceNumber: number;
  readonly enqueuedTimeMs: number;
}

/** What the memory store holds for one partition: the fence epoch and the position, if any. */
export interface CheckpointRecord {
  readonly partitionId: string;
  /** Highest epoch seen by ensureCheckpoint or a successful write; writes below it are refused. */
  readonly fence: number;
  readonly position: StoredPosition | null;
}

/** A frozen record, so that no caller can change a stored value through a reference. */
export function checkpointRecord(partitionId: string, fence: number, checkpoint: Checkpoint | null): CheckpointRecord {
  const position =
    checkpoint === null
      ? null
      : Object.freeze({
          offset: checkpoint.offset,
          sequenceNumber: checkpoint.sequenceNumber,
          enqueuedTimeMs: checkpoint.enqueuedTime.getTime(),
        });
  return Object.freeze({ partitionId, fence, position });
}

/** The same record with its fence raised to `fence`. */
export function withFence(record: CheckpointRecord, fence: number): CheckpointRecord {
  return Object.freeze({ ...record, fence });
}

/** A fresh checkpoint value from a stored position. */
export function toCheckpoint(position: StoredPosition | null): Checkpoint | undefined {
  if (position === null) return undefined;
  return {
    offset: position.offset,
    sequenceNumber: position.sequenceNumber,
    enqueuedTime: new Date(position.enqueuedTimeMs),
  };
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function problemOf(value: unknown, partitionId: string): string | undefined {
  if (typeof value !== "object" || value === null) return `it is ${value === null ? "null" : typeof value}`;
  const record = value as Record<string, unknown>;
  if (record.partitionId !== partitionId) return `its partitionId is ${JSON.stringify(record.partitionId)}`;
  if (!isCount(record.fence)) return `its fence ${JSON.stringify(record.fence)} is not a non-negative integer`;
  const position = record.position;
  if (position === null) return undefined;
  if (typeof position !== "object" || position === undefined) return "it has no position field";
  const { offset, sequenceNumber, enqueuedTimeMs } = position as Record<string, unknown>;
  if (typeof offset !== "string") return "its offset is not a string";
  if (!isCount(sequenceNumber)) return "its sequenceNumber is not a non-negative integer";
  if (typeof enqueuedTimeMs !== "number" || !Number.isFinite(enqueuedTimeMs))
    return "its enqueued time is not a number";
  return undefined;
}

/** Validates a stored value as the checkpoint record of `partitionId`, or throws `CorruptRecord`. */
export function parseCheckpointRecord(value: unknown, scope: CheckpointScope, partitionId: string): CheckpointRecord {
  const problem = problemOf(value, partitionId);
  if (problem !== undefined) {
    throw new EphError(
      "CorruptRecord",
      `The checkpoint record of ${describeRecord(scope, partitionId)} is corrupt: ${problem}.`,
      { partitionId },
    );
  }
  return value as CheckpointRecord;
}

/** Rejects a checkpoint a caller passes in that could not be stored faithfully. */
export function validateCheckpoint(checkpoint: Checkpoint, partitionId: string): void {
  const bad = (what: string) =>
    new EphError("InvalidOption", `checkpoint.${what} (partition "${partitionId}").`, { partitionId });
  if (typeof checkpoint !== "object" || checkpoint === null) {
    throw new EphError("InvalidOption", `checkpoint must be an object, got ${String(checkpoint)}.`, { partitionId });
  }
  if (typeof checkpoint.offset !== "string") throw bad(`offset must be a string, got ${typeof checkpoint.offset}`);
  if (!isCount(checkpoint.sequenceNumber)) {
    throw bad(`sequenceNumber must be a non-negative integer, got ${String(checkpoint.sequenceNumber)}`);
  }
  if (!(checkpoint.enqueuedTime instanceof Date) || !Number.isFinite(checkpoint.enqueuedTime.getTime())) {
    throw bad(`enqueuedTime must be a valid Date, got ${String(checkpoint.enqueuedTime)}`);
  }
}

/** Rejects an epoch that is not a non-negative integer, naming the option. */
export function validateEpoch(epoch: unknown, option: string, partitionId: string): void {
  if (!isCount(epoch)) {
    throw new EphError("InvalidOption", `${option} must be a non-negative integer, got ${String(epoch)}.`, {
      partitionId,
    });
  }
}
