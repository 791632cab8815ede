import { type Checkpoint, EphError } from "@eph/core";

/**
 * Where and how checkpoints are stored. Both layouts keep one empty block blob per partition at
 * `<namespace>/<hub>/<consumer group>/checkpoint/<partition id>` (lower-cased), the name KEDA's
 * `blobMetadata` strategy and `@azure/eventhubs-checkpointstore-blob` read, with metadata
 * `sequencenumber` and `offset`, plus eph's own `ephfence` and `ephenqueuedtime`.
 * - `"eph"` (default): a record without `ephfence` was rewritten by another writer and is refused as
 *   `CorruptRecord` (never taken as fence 0); a record with a fence and no position carries the
 *   partition's last enqueued sequence number when the host told it, so KEDA reads no backlog for it;
 *   records of eph's earlier layout (`…/eph-checkpoint/<partition id>`) are carried over on first use.
 * - `"checkpointstore-blob"`: for moving from (or back to) `EventHubConsumerClient`: records the official
 *   store wrote, without a fence, are taken as fence 0; a record without a position is `-1`.
 */
export type CheckpointLayout = "eph" | "checkpointstore-blob";

/** The stored state of one partition: its fence and its position, if any. */
export interface StoredCheckpoint {
  readonly fence: number;
  readonly checkpoint: Checkpoint | undefined;
  /**
   * Without a position: the partition's last enqueued sequence number when the record was created, the
   * `sequencenumber` KEDA reads (so it counts only what arrived since); `undefined` when unknown.
   */
  readonly baseline?: number | undefined;
}

/** Translates between checkpoint state and blob metadata for one layout. */
export interface LayoutCodec {
  /** The path segment between the scope prefix and the partition id. */
  readonly segment: string;
  /** The layout eph wrote before, whose records are carried over when the current one has none. */
  readonly legacy?: LegacyCodec;
  /** True when records without a position keep the partition's last enqueued sequence number for KEDA. */
  readonly keepsBaseline?: boolean;
  /** True for a record another writer replaced, dropping eph's fence (then a legacy record may be carried over). */
  foreign?(metadata: Record<string, string> | undefined): boolean;
  toMetadata(state: StoredCheckpoint): Record<string, string>;
  /** Reads a blob's metadata; throws `CorruptRecord` naming the blob when a field is missing or malformed. */
  parse(metadata: Record<string, string> | undefined, blobName: string, partitionId: string): StoredCheckpoint;
}

/** The codec of eph's earlier layout, read to carry its records over, and marked once they are. */
export interface LegacyCodec extends LayoutCodec {
  /** True once the record was carried over to the current layout. */
  moved(metadata: Record<string, string> | undefined): boolean;
  /** The record's metadata with the mark that it was carried over (its fields kept for earlier versions). */
  markMoved(metadata: Record<string, string> | undefined): Record<string, string>;
}

/** Builds the `CorruptRecord` error for a blob, naming it. */
export function corruptCheckpoint(blobName: string, reason: string, partitionId: string): EphError {
  return new EphError("CorruptRecord", `The checkpoint blob "${blobName}" is not a valid checkpoint: ${reason}.`, {
    partitionId,
  });
}

const INTEGER = /^(0|[1-9][0-9]{0,15})$/;

function integer(fields: Fields, key: string, bad: (reason: string) => EphError): number {
  const text = fields[key];
  if (text === undefined) throw bad(`metadata "${key}" is missing`);
  const value = Number(text);
  if (!INTEGER.test(text) || !Number.isSafeInteger(value)) {
    throw bad(`metadata "${key}" is ${JSON.stringify(text.slice(0, 40))}, expected an integer >= 0`);
  }
  return value;
}

function time(fields: Fields, key: string, bad: (reason: string) => EphError): Date {
  const text = fields[key];
  if (text === undefined) throw bad(`metadata "${key}" is missing`);
  const ms = Date.parse(text);
  if (!/^\d{4}-\d\d-\d\dT/.test(text) || Number.isNaN(ms)) {
    throw bad(`metadata "${key}" is ${JSON.stringify(text.slice(0, 40))}, expected an ISO 8601 time`);
  }
  return new Date(ms);
}

function offset(fields: Fields, key: string, bad: (reason: string) => EphError): string {
  const text = fields[key];
  if (text === undefined) throw bad(`metadata "${key}" is missing`);
  if (text === "") throw bad(`metadata "${key}" is empty`);
  return text;
}

type Fields = Record<string, string | undefined>;

/** Metadata keys as the service may return them (header names arrive lower-cased, listings as stored). */
function lowerKeys(metadata: Record<string, string> | undefined): Fields {
  const out: Fields = {};
  for (const [key, value] of Object.entries(metadata ?? {})) out[key.toLowerCase()] = value;
  return out;
}

/** The metadata key marking a legacy record as carried over; the value names the layout it went to. */
const MOVED = "ephmovedto";

/**
 * eph's layout up to 0.1: `…/eph-checkpoint/<pid>`, metadata `fence`, then the position. Only read (and
 * marked once carried over); 0.1 reads a marked record as before, so a downgrade resumes from it.
 */
const legacyCodec: LegacyCodec = {
  segment: "eph-checkpoint",
  moved: (metadata) => lowerKeys(metadata)[MOVED] !== undefined,
  markMoved: (metadata) => ({ ...metadata, [MOVED]: "checkpoint" }),
  toMetadata({ fence, checkpoint }) {
    const metadata: Record<string, string> = { fence: String(fence) };
    if (checkpoint) {
      metadata.sequencenumber = String(checkpoint.sequenceNumber);
      metadata.offset = checkpoint.offset;
      metadata.enqueuedtime = checkpoint.enqueuedTime.toISOString();
    }
    return metadata;
  },
  parse(metadata, blobName, partitionId) {
    const bad = (reason: string) => corruptCheckpoint(blobName, reason, partitionId);
    const fields = lowerKeys(metadata);
    const fence = integer(fields, "fence", bad);
    const present = ["sequencenumber", "offset", "enqueuedtime"].filter((k) => fields[k] !== undefined);
    if (present.length === 0) return { fence, checkpoint: undefined };
    return {
      fence,
      checkpoint: {
        offset: offset(fields, "offset", bad),
        sequenceNumber: integer(fields, "sequencenumber", bad),
        enqueuedTime: time(fields, "enqueuedtime", bad),
      },
    };
  },
};

/**
 * What the official store's readers take as "no position": offset `-1` is the start of the stream (the
 * JavaScript processor starts from the checkpoint's offset), so a reader of a record without a position
 * replays, never skips.
 */
const NO_POSITION = "-1";

/** The position fields both layouts write: `sequencenumber`, `offset`, `ephenqueuedtime`. */
function positionMetadata(checkpoint: Checkpoint): Record<string, string> {
  return {
    sequencenumber: String(checkpoint.sequenceNumber),
    offset: checkpoint.offset,
    ephenqueuedtime: checkpoint.enqueuedTime.toISOString(),
  };
}

const ephCodec: LayoutCodec = {
  segment: "checkpoint",
  legacy: legacyCodec,
  keepsBaseline: true,
  foreign: (metadata) => lowerKeys(metadata).ephfence === undefined,
  toMetadata({ fence, checkpoint, baseline }): Record<string, string> {
    if (checkpoint) return { ...positionMetadata(checkpoint), ephfence: String(fence) };
    // KEDA counts last enqueued - sequencenumber: the baseline makes a partition nobody has checkpointed
    // yet read as what arrived since it was taken, not as its whole history ("-1" would count that).
    return { sequencenumber: String(baseline ?? -1), offset: NO_POSITION, ephfence: String(fence) };
  },
  parse(metadata, blobName, partitionId) {
    const bad = (reason: string) => corruptCheckpoint(blobName, reason, partitionId);
    const fields = lowerKeys(metadata);
    if (fields.ephfence === undefined) {
      throw bad(
        'metadata "ephfence" is missing: another writer replaced the record (the official checkpoint store drops ' +
          "eph's metadata when it checkpoints), so no deposed owner can be refused. Stop the other processor, then " +
          "delete the blob (the partition restarts from the host's initial position) or, to adopt its position, " +
          'read it once with layout "checkpointstore-blob"',
      );
    }
    const fence = integer(fields, "ephfence", bad);
    if (fields.ephenqueuedtime === undefined) {
      // A record with a fence and no position: offset "-1" and a baseline (or "-1") for KEDA.
      if (fields.offset !== NO_POSITION) {
        throw bad(
          `metadata "offset" is ${JSON.stringify((fields.offset ?? "").slice(0, 40))} without "ephenqueuedtime"`,
        );
      }
      const baseline = fields.sequencenumber === NO_POSITION ? undefined : integer(fields, "sequencenumber", bad);
      return { fence, checkpoint: undefined, baseline };
    }
    return {
      fence,
      checkpoint: {
        offset: offset(fields, "offset", bad),
        sequenceNumber: integer(fields, "sequencenumber", bad),
        enqueuedTime: time(fields, "ephenqueuedtime", bad),
      },
    };
  },
};

const officialCodec: LayoutCodec = {
  segment: "checkpoint",
  toMetadata({ fence, checkpoint }): Record<string, string> {
    // The official readers take every blob under `checkpoint/` as a checkpoint and fail on one without
    // `sequencenumber` and `offset`, so a record that only carries a fence still needs a position they
    // understand: "-1", the start of the stream (never a loss of events, at worst a replay).
    if (checkpoint) return { ...positionMetadata(checkpoint), ephfence: String(fence) };
    return { sequencenumber: NO_POSITION, offset: NO_POSITION, ephfence: String(fence) };
  },
  parse(metadata, blobName, partitionId) {
    const bad = (reason: string) => corruptCheckpoint(blobName, reason, partitionId);
    const fields = lowerKeys(metadata);
    // The official store replaces all metadata when it writes, so its records carry no fence (fence 0)
    // and no enqueued time (unknown: the Unix epoch).
    const fence = fields.ephfence === undefined ? 0 : integer(fields, "ephfence", bad);
    if (
      fields.sequencenumber === NO_POSITION ||
      (fields.ephenqueuedtime === undefined && fields.offset === NO_POSITION)
    ) {
      offset(fields, "offset", bad);
      return { fence, checkpoint: undefined };
    }
    const sequenceNumber = integer(fields, "sequencenumber", bad);
    const enqueuedTime = fields.ephenqueuedtime === undefined ? new Date(0) : time(fields, "ephenqueuedtime", bad);
    return { fence, checkpoint: { offset: offset(fields, "offset", bad), sequenceNumber, enqueuedTime } };
  },
};

/** The codec of a layout; `InvalidOption` for an unknown one. */
export function layoutCodec(layout: unknown): LayoutCodec {
  if (layout === undefined || layout === "eph") return ephCodec;
  if (layout === "checkpointstore-blob") return officialCodec;
  throw new EphError("InvalidOption", `layout must be "eph" or "checkpointstore-blob", got ${JSON.stringify(layout)}.`);
}

// Metadata travels in HTTP headers: printable ASCII only, and surrounding spaces would be trimmed.
const HEADER_SAFE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/** Checks a checkpoint a caller wants stored; `InvalidOption` naming the bad field. */
export function validateCheckpoint(checkpoint: unknown, partitionId: string): Checkpoint {
  const cp = checkpoint as Partial<Checkpoint> | undefined;
  const bad = (reason: string) => new EphError("InvalidOption", `checkpoint ${reason}.`, { partitionId });
  if (typeof cp !== "object" || cp === null) throw bad("must be an object");
  if (typeof cp.offset !== "string" || !HEADER_SAFE.test(cp.offset) || cp.offset.length > 1024) {
    throw bad(
      `.offset ${JSON.stringify(cp.offset)} must be a non-empty string of printable ASCII without surrounding spaces`,
    );
  }
  if (typeof cp.sequenceNumber !== "number" || !Number.isSafeInteger(cp.sequenceNumber) || cp.sequenceNumber < 0) {
    throw bad(`.sequenceNumber ${String(cp.sequenceNumber)} must be an integer >= 0`);
  }
  if (!(cp.enqueuedTime instanceof Date) || Number.isNaN(cp.enqueuedTime.getTime())) {
    throw bad(".enqueuedTime must be a valid Date");
  }
  return { offset: cp.offset, sequenceNumber: cp.sequenceNumber, enqueuedTime: new Date(cp.enqueuedTime.getTime()) };
}

/** Checks an epoch option; `InvalidOption` unless it is an integer >= 0. */
export function validateEpoch(epoch: unknown, partitionId: string): number {
  if (typeof epoch !== "number" || !Number.isSafeInteger(epoch) || epoch < 0) {
    throw new EphError("InvalidOption", `epoch ${String(epoch)} must be an integer >= 0.`, { partitionId });
  }
  return epoch;
}
