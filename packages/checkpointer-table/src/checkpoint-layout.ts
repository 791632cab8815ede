import {
  type CheckpointCodec,
  corruptRecord,
  EphError,
  encodeCheckpoint,
  officialLayoutFence,
  officialSequenceNumber,
  type RecordFields,
  recordFormat,
  timeField,
} from "@eph/core";
import { partitionRowKey, type TableKeyLayout } from "@eph/table-common";

/**
 * Where and how checkpoints are stored:
 * - `"eph"`: core's record, PartitionKey `<namespace> <hub> <consumer group> eph-checkpoint`
 *   (lower-cased, escaped), string properties `format`, `fence`, `offset`, `sequencenumber`, `enqueuedtime`.
 * - `"checkpointstore-table"`: the layout of `@azure/eventhubs-checkpointstore-table`, so that eph and
 *   `EventHubConsumerClient` processors read each other's checkpoints: PartitionKey
 *   `<namespace> <hub> <consumer group> Checkpoint` (names as given), RowKey the partition id, string
 *   properties `sequencenumber` and `offset`, plus eph's own `ephformat`, `ephfence` (the fence),
 *   `ephenqueuedtime` (milliseconds since 1970) and `ephsequencenumber` (the position it belongs to).
 */
export type CheckpointLayout = "eph" | "checkpointstore-table";

// Characters no table key may hold. The official layout does not escape, so names holding them cannot
// be stored in it at all.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what keys refuse.
const FORBIDDEN_IN_KEYS = /[/\\#?\u0000-\u001f\u007f-\u009f]/;

function rawKeyPart(what: string, value: string): string {
  if (FORBIDDEN_IN_KEYS.test(value)) {
    throw new EphError(
      "InvalidOption",
      `${what} ${JSON.stringify(value)} holds a character table keys refuse (/ \\ # ? or a control character), which the checkpointstore-table layout cannot escape.`,
    );
  }
  return value;
}

/** The official store's keys: names as given, unescaped. */
export const officialKeys: TableKeyLayout = {
  partitionKey: (scope) =>
    `${rawKeyPart("fullyQualifiedNamespace", scope.fullyQualifiedNamespace)} ${rawKeyPart("eventHubName", scope.eventHubName)} ${rawKeyPart("consumerGroup", scope.consumerGroup)} Checkpoint`,
  rowKey(id) {
    partitionRowKey(id); // non-empty and short enough for a key
    return rawKeyPart("partitionId", id);
  },
  id: (rowKey) => rowKey || undefined,
};

/** What the official store's readers take as "no position": start of stream (offset "-1"). */
const NO_POSITION = "-1";

/** The official store's fields, with eph's fence and enqueued time beside them. */
export const officialCodec: CheckpointCodec = {
  encode(state) {
    const { fence, offset, sequencenumber, enqueuedtime } = encodeCheckpoint(state);
    // The official readers take every entity of the partition as a checkpoint, so a record that only
    // carries a fence still needs a position they understand: "-1", the start of the stream.
    const fields: RecordFields = {
      sequencenumber: sequencenumber ?? NO_POSITION,
      offset: offset ?? NO_POSITION,
      ephformat: String(recordFormat),
      ephfence: fence ?? "0",
    };
    return enqueuedtime === undefined
      ? fields
      : { ...fields, ephenqueuedtime: enqueuedtime, ephsequencenumber: sequencenumber ?? "" };
  },
  decode(scope, { id, fields }) {
    const fail = (what: string) => corruptRecord(scope, "checkpoint", id, what);
    const { sequencenumber, offset, ephenqueuedtime, ephsequencenumber } = fields;
    const fence = officialLayoutFence(fields, fail);
    if (offset === undefined) throw fail("it has no offset");
    if (sequencenumber === NO_POSITION) return { fence, position: undefined };
    const sequenceNumber = officialSequenceNumber(sequencenumber, fail);
    // The official store writes no enqueued time; its merges leave ours in place, so it is only
    // trusted when it was written together with the position it belongs to.
    const time = ephsequencenumber === sequencenumber ? timeField(ephenqueuedtime) : undefined;
    return { fence, position: { offset, sequenceNumber, enqueuedTime: time ?? new Date(0) } };
  },
};
