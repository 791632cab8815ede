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
  /**
   * Without a position, for codecs that keep it ({@link CheckpointCodec.keepsBaseline}): the partition's
   * last enqueued sequence number when the record was written, so that tools reading the record as lag
   * (KEDA) count only what arrived since; `undefined` when unknown.
   */
  readonly baseline?: number | undefined;
}

/**
 * How a {@link RecordCheckpointer} turns checkpoint state into record fields and back. Core's default
 * ({@link defaultCheckpointCodec}) suits any store; an adapter passes its own to keep a foreign layout,
 * such as the official checkpoint stores' `sequencenumber` and `offset` fields, readable by other tools.
 */
export interface CheckpointCodec {
  /** The fields to store for `state` (names as {@link RecordFields} allows). */
  encode(state: CheckpointState): RecordFields;
  /** The state a record holds; throws `CorruptRecord` (see {@link corruptRecord}) naming it when it holds none. */
  decode(scope: RecordScope, record: VersionedRecord): CheckpointState;
  /**
   * True when records without a position keep a lag baseline: `ensureCheckpoint` then asks its
   * `lastEnqueuedSequenceNumber` option before writing one (see `lagBaseline`). Default false.
   */
  readonly keepsBaseline?: boolean | undefined;
}

/** Core's checkpoint fields: {@link encodeCheckpoint} and {@link decodeCheckpoint}. */
export const defaultCheckpointCodec: CheckpointCodec = {
  encode: (state) => encodeCheckpoint(state),
  decode: (scope, record) => decodeCheckpoint(scope, record),
};

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
  const enqueuedTime = timeField(enqueuedtime);
  if (enqueuedTime === undefined)
    throw fail(`its enqueued time ${JSON.stringify(enqueuedtime)} is not a time in the years 0001-9999`);
  return { fence, position: { offset, sequenceNumber, enqueuedTime } };
}

/** The time a field holds as milliseconds since 1970 (decimal), or `undefined` unless in the years 0001-9999. */
export function timeField(value: string | undefined): Date | undefined {
  const time = value !== undefined && /^-?\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  return time >= earliest && time <= latest ? new Date(time) : undefined;
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

/**
 * The fence of a record in an official checkpoint store's layout, where eph keeps its format and fence
 * beside the official fields as `ephformat` and `ephfence`: 0 for a record the official store wrote (it
 * carries neither). Throws what `fail` makes of the problem for a newer format or a malformed fence.
 */
export function officialLayoutFence(fields: RecordFields, fail: (problem: string) => EphError): number {
  const { ephformat, ephfence } = fields;
  const problem = ephformat === undefined ? undefined : formatProblem({ format: ephformat });
  if (problem !== undefined) throw fail(problem);
  const fence = ephfence === undefined ? 0 : countField(ephfence);
  if (fence === undefined) throw fail(`its ephfence ${JSON.stringify(ephfence)} is not a non-negative integer`);
  return fence;
}

/** The official layout's `sequencenumber`; throws what `fail` makes of the problem unless a non-negative integer. */
export function officialSequenceNumber(value: string | undefined, fail: (problem: string) => EphError): number {
  const sequenceNumber = countField(value);
  if (sequenceNumber === undefined)
    throw fail(`its sequencenumber ${JSON.stringify(value)} is not a non-negative integer`);
  return sequenceNumber;
}
