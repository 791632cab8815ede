import {
  type CheckpointCodec,
  type CheckpointState,
  corruptRecord,
  countField,
  officialLayoutFence,
  officialSequenceNumber,
  type RecordFields,
  recordFormat,
} from "@eph/core";

/**
 * Where and how checkpoints are stored. Both layouts keep one empty block blob per partition at
 * `<namespace>/<hub>/<consumer group>/checkpoint/<partition id>` (lower-cased), the name KEDA's
 * `blobMetadata` strategy and `@azure/eventhubs-checkpointstore-blob` read, with metadata
 * `sequencenumber` and `offset`, plus eph's own `ephformat`, `ephfence` and `ephenqueuedtime`.
 * - `"eph"` (default): a record without `ephfence` was rewritten by another writer and is refused as
 *   `CorruptRecord` (never taken as fence 0); a record with a fence and no position carries the
 *   partition's last enqueued sequence number when the host told it, so KEDA reads no backlog for it;
 *   records of eph's earlier layout (`…/eph-checkpoint/<partition id>`) are carried over on first use.
 * - `"checkpointstore-blob"`: for moving from (or back to) `EventHubConsumerClient`: records the official
 *   store wrote, without a fence, are taken as fence 0; a record without a position is `-1`.
 */
export type CheckpointLayout = "eph" | "checkpointstore-blob";

/**
 * What the official store's readers take as "no position": offset `-1` is the start of the stream (the
 * JavaScript processor starts from the checkpoint's offset), so a reader of a record without a position
 * replays, never skips. The official readers fail on a blob without `sequencenumber` and `offset`.
 */
export const NO_POSITION = "-1";

// An ISO 8601 time as `Date.toISOString` writes it for the years 0001-9999 (core refuses others at write).
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$/;

const FOREIGN =
  "it has no ephfence: another writer replaced the record (the official checkpoint store drops eph's " +
  "metadata when it checkpoints), so no deposed owner can be refused. Stop the other processor, then delete " +
  'the blob (the partition restarts from the host\'s initial position) or, to adopt its position, read it once with layout "checkpointstore-blob"';

/** The codec of a layout: `official` reads records without a fence or enqueued time (fence 0, the Unix epoch). */
function blobCodec(official: boolean): CheckpointCodec {
  return {
    keepsBaseline: !official,
    encode({ fence, position, baseline }: CheckpointState): RecordFields {
      const eph = { ephformat: String(recordFormat), ephfence: String(fence) };
      if (position === undefined) {
        // KEDA counts last enqueued - sequencenumber: the baseline makes a partition nobody has checkpointed
        // yet read as what arrived since it was taken, not as its whole history ("-1" would count that).
        return { sequencenumber: String(baseline ?? NO_POSITION), offset: NO_POSITION, ...eph };
      }
      const { sequenceNumber, offset, enqueuedTime } = position;
      return { sequencenumber: String(sequenceNumber), offset, ...eph, ephenqueuedtime: enqueuedTime.toISOString() };
    },
    decode(scope, { id, fields }) {
      const fail = (what: string) => corruptRecord(scope, "checkpoint", id, what);
      const { sequencenumber, offset, ephenqueuedtime } = fields;
      if (fields.ephfence === undefined && !official) throw fail(FOREIGN);
      // Records of eph before format versions, and the official store's, carry no ephformat.
      const fence = officialLayoutFence(fields, fail);
      if (!offset) throw fail("it has no offset");
      if (ephenqueuedtime === undefined && offset === NO_POSITION) {
        if (official || sequencenumber === NO_POSITION) return { fence, position: undefined };
        const baseline = countField(sequencenumber);
        if (baseline === undefined)
          throw fail(`its lag baseline ${JSON.stringify(sequencenumber)} is not a sequence number`);
        return { fence, position: undefined, baseline };
      }
      if (official && sequencenumber === NO_POSITION) return { fence, position: undefined };
      const sequenceNumber = officialSequenceNumber(sequencenumber, fail);
      // The official store replaces all metadata when it writes, so its records carry no enqueued time.
      if (ephenqueuedtime === undefined && !official)
        throw fail(`it has offset ${JSON.stringify(offset)} but no ephenqueuedtime`);
      const time =
        ephenqueuedtime === undefined ? 0 : ISO_TIME.test(ephenqueuedtime) ? Date.parse(ephenqueuedtime) : Number.NaN;
      if (Number.isNaN(time))
        throw fail(`its ephenqueuedtime ${JSON.stringify(ephenqueuedtime)} is not an ISO 8601 time`);
      return { fence, position: { offset, sequenceNumber, enqueuedTime: new Date(time) } };
    },
  };
}

/** The codec of eph's default layout. */
export const ephCodec = blobCodec(false);

/** The codec of the `checkpointstore-blob` layout. */
export const officialCodec = blobCodec(true);
