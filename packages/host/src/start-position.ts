import { type EventPosition, earliestEventPosition, latestEventPosition } from "@azure/event-hubs";
import { type Checkpoint, EphError } from "@eph/core";

/**
 * Where a partition that has no checkpoint starts:
 * - `"earliest"`: the oldest retained event;
 * - `"latest"`: only events enqueued after the receiver opens;
 * - `{ sequenceNumber }`: from that event (inclusive unless `inclusive: false`);
 * - `{ enqueuedOn }`: the first event enqueued after that time.
 */
export type StartPosition =
  | "earliest"
  | "latest"
  | { readonly sequenceNumber: number; readonly inclusive?: boolean }
  | { readonly enqueuedOn: Date };

/** A start position for every partition, or a function choosing one per partition. */
export type InitialPosition = StartPosition | ((partitionId: string) => StartPosition | Promise<StartPosition>);

/** Throws `InvalidOption`, naming `name`, unless `value` is a {@link StartPosition}. */
export function validateStartPosition(value: unknown, name: string): StartPosition {
  if (value === "earliest" || value === "latest") return value;
  if (typeof value === "object" && value !== null) {
    const v = value as Record<string, unknown>;
    if ("sequenceNumber" in v) {
      const n = v.sequenceNumber;
      if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
        throw new EphError("InvalidOption", `Option "${name}.sequenceNumber" must be a non-negative integer.`);
      }
      if (v.inclusive !== undefined && typeof v.inclusive !== "boolean") {
        throw new EphError("InvalidOption", `Option "${name}.inclusive" must be a boolean.`);
      }
      return value as StartPosition;
    }
    if ("enqueuedOn" in v) {
      if (!(v.enqueuedOn instanceof Date) || Number.isNaN(v.enqueuedOn.getTime())) {
        throw new EphError("InvalidOption", `Option "${name}.enqueuedOn" must be a valid Date.`);
      }
      return value as StartPosition;
    }
  }
  throw new EphError(
    "InvalidOption",
    `Option "${name}" must be "earliest", "latest", { sequenceNumber } or { enqueuedOn }, or a function returning one.`,
  );
}

/** The client's position for a start position. */
export function toEventPosition(position: StartPosition): EventPosition {
  if (position === "earliest") return earliestEventPosition;
  if (position === "latest") return latestEventPosition;
  if ("sequenceNumber" in position) {
    return { sequenceNumber: position.sequenceNumber, isInclusive: position.inclusive ?? true };
  }
  return { enqueuedOn: position.enqueuedOn };
}

/** The position right after a checkpoint: the checkpointed event itself was already handled. */
export function afterCheckpoint(checkpoint: Checkpoint): EventPosition {
  return { sequenceNumber: checkpoint.sequenceNumber, isInclusive: false };
}
