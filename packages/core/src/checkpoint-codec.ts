import type { Checkpoint } from "./checkpoint.js";
import { EphError } from "./errors.js";
import { corruptRecord, countField, formatProblem, recordFormat } from "./record-format.js";
import type { RecordFields, RecordScope, VersionedRecord } from "./record-store.js";

/** What a checkpoint record holds: the partition's fence and its position, if one was written. */
export interface CheckpointState {
  /** Highest epoch raised by `ensureCheckpoint` or carried by an accepted write. */
  readonly fence: number;
  /** The stored position, or `undefined`. */
  readonly position: Checkpoint | undefined;
}

// Date's own range is ±275 760 years; stores, the Azure SDK's ISO strings and users' tools handle
// four-digit years only, so a position outside them is refused at write instead of stored unreadable.
const earliest = new Date("0001-01-01T00:00:00.000Z").getTime();
const latest = new Date("9999-12-31T23:59:59.999Z").getTime();

/**
 * A checkpoint's fields: `format`, `fence`, and with a position `offset`, `sequencenumber` and
 * `enqueuedtime` (milliseconds since 1970, decimal).
 */
export function encodeCheckpoint(state: CheckpointState): RecordFields {
  const base = { format: String(recordFormat), fence: String(state.fence) };
  const { position } = state;
  if (position === undefined) return base;
  return {
    ...base,
    offset: position.offset,
    sequencenumber: String(position.sequenceNumber),
    enqueuedtime: String(position.enqueuedTime.getTime()),
  };
}

/** The state a record holds, or `CorruptRecord` naming it. */
export function decodeCheckpoint(scope: RecordScope, record: VersionedRecord): CheckpointState {
  const { fields } = record;
  const fail = (what: string) => corruptRecord(scope, "checkpoint", record.id, what);
  const problem = formatProblem(fields);
  if (problem !== undefined) throw fail(problem);
  const fence = countField(fields.fence);
  if (fence === undefined) throw fail(`its fence ${JSON.stringify(fields.fence)} is not a non-negative integer`);
  const { offset, sequencenumber, enqueuedtime } = fields;
  if (offset === undefined && sequencenumber === undefined && enqueuedtime === undefined) {
    return { fence, position: undefined };
  }
  const sequenceNumber = countField(sequencenumber);
  if (offset === undefined) throw fail("it has a position without an offset");
  if (sequenceNumber === undefined)
    throw fail(`its sequence number ${JSON.stringify(sequencenumber)} is not a non-negative integer`);
  const time = enqueuedtime !== undefined && /^-?\d+$/.test(enqueuedtime) ? Number(enqueuedtime) : Number.NaN;
  if (!(time >= earliest && time <= latest))
    throw fail(`its enqueued time ${JSON.stringify(enqueuedtime)} is not a time in the years 0001-9999`);
  return { fence, position: { offset, sequenceNumber, enqueuedTime: new Date(time) } };
}

/** Throws `InvalidOption` naming the field unless `checkpoint` can be stored and read back exactly. */
export function checkCheckpoint(checkpoint: unknown, partitionId: string): asserts checkpoint is Checkpoint {
  const bad = (what: string) =>
    new EphError("InvalidOption", `checkpoint${what} (partition "${partitionId}").`, { partitionId });
  if (typeof checkpoint !== "object" || checkpoint === null) throw bad(` must be an object, got ${String(checkpoint)}`);
  const { offset, sequenceNumber, enqueuedTime } = checkpoint as Record<string, unknown>;
  if (typeof offset !== "string") throw bad(`.offset must be a string, got ${typeof offset}`);
  if (typeof sequenceNumber !== "number" || !Number.isSafeInteger(sequenceNumber) || sequenceNumber < 0) {
    throw bad(`.sequenceNumber must be a non-negative integer, got ${String(sequenceNumber)}`);
  }
  const time = enqueuedTime instanceof Date ? enqueuedTime.getTime() : Number.NaN;
  if (!(time >= earliest && time <= latest)) {
    throw bad(`.enqueuedTime must be a valid Date in the years 0001-9999, got ${String(enqueuedTime)}`);
  }
}

/** Throws `InvalidOption` naming `option` unless `epoch` is a non-negative integer. */
export function checkEpoch(epoch: unknown, option: string, partitionId: string): asserts epoch is number {
  if (typeof epoch !== "number" || !Number.isSafeInteger(epoch) || epoch < 0) {
    throw new EphError("InvalidOption", `${option} must be a non-negative integer, got ${String(epoch)}.`, {
      partitionId,
    });
  }
}
