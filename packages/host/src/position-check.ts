import { type EventPosition, earliestEventPosition, latestEventPosition } from "@azure/event-hubs";
import { type Checkpoint, EphError } from "@eph/core";
import { afterCheckpoint } from "./start-position.js";

/** What the host does with a stored position outside the partition's range. */
export type InvalidPositionAction =
  /** Read from the oldest retained event (the default). */
  | "earliest"
  /** Read only events enqueued from now on. */
  | "latest"
  /** Stop reading the partition (`onPartitionClosed` reason `"failed"`), keeping the checkpoint as it is. */
  | "stop";

/** The events a partition holds, as the service reports them. */
export interface PartitionRange {
  /** The oldest retained event's sequence number (the next one to be written, when it holds none). */
  readonly beginningSequenceNumber: number;
  /** The newest event ever written (-1 when none). */
  readonly lastEnqueuedSequenceNumber: number;
}

/** Why a stored position is invalid. */
export type InvalidPosition =
  /** The events after the checkpoint expired (retention): some were never read. */
  | "expired"
  /** The checkpoint is past the partition's last event: the partition or hub was reset or recreated. */
  | "beyondEnd";

/**
 * Whether reading on from `checkpoint` is possible in `range`. The next event read is the one after
 * the checkpoint: it must still be retained, and the checkpoint itself must have been written.
 */
export function classifyPosition(checkpoint: Checkpoint, range: PartitionRange): InvalidPosition | undefined {
  if (checkpoint.sequenceNumber > range.lastEnqueuedSequenceNumber) return "beyondEnd";
  if (checkpoint.sequenceNumber + 1 < range.beginningSequenceNumber) return "expired";
  return undefined;
}

/** The error reported for an invalid position: names the partition, the position and the range. */
export function invalidPositionError(
  partitionId: string,
  checkpoint: Checkpoint,
  range: PartitionRange,
  why: InvalidPosition,
  action: InvalidPositionAction,
): EphError {
  const cause =
    why === "expired"
      ? "the events after it expired (retention)"
      : "it is past the partition's last event (the partition or hub was reset or recreated)";
  const then =
    action === "stop"
      ? "the partition is not read (onInvalidPosition: stop)"
      : `reading from the ${action} event (onInvalidPosition: ${action})`;
  return new EphError(
    "InvalidPosition",
    `The checkpoint of partition ${partitionId} (sequence number ${checkpoint.sequenceNumber}) is outside the partition's range ${range.beginningSequenceNumber}..${range.lastEnqueuedSequenceNumber}: ${cause}; ${then}.`,
    { partitionId },
  );
}

/** Where to read from after `checkpoint`, given what an invalid position calls for. */
export function positionFor(checkpoint: Checkpoint, action: InvalidPositionAction | undefined): EventPosition {
  if (action === "earliest") return earliestEventPosition;
  if (action === "latest") return latestEventPosition;
  return afterCheckpoint(checkpoint);
}

/** True for the service's refusal of a start position (`com.microsoft:argument-error` / out of range). */
export function isRefusedPosition(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ArgumentError" || code === "ArgumentOutOfRangeError";
}
