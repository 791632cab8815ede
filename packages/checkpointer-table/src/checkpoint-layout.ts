import type { TableEntity } from "@azure/data-tables";
import { type Checkpoint, EphError, type HostInfo } from "@eph/core";
import { groupPartitionKey, partitionRowKey, unescapeKeyPart } from "@eph/table-common";

/**
 * Where and how checkpoints are stored:
 * - `"eph"`: PartitionKey `<namespace> <hub> <consumer group> eph-checkpoint` (lower-cased, escaped),
 *   properties `fence`, `sequenceNumber` (Int64), `offset` (string) and `enqueuedTime` (DateTime).
 * - `"checkpointstore-table"`: the layout of `@azure/eventhubs-checkpointstore-table`, so that eph and
 *   `EventHubConsumerClient` processors read each other's checkpoints: PartitionKey
 *   `<namespace> <hub> <consumer group> Checkpoint` (names as given), RowKey the partition id, string
 *   properties `sequencenumber` and `offset`, plus eph's own `ephfence` (the fence), `ephenqueuedtime` and
 *   `ephsequencenumber` (the position that enqueued time belongs to).
 */
export type CheckpointLayout = "eph" | "checkpointstore-table";

/** The stored state of one partition: its fence and its position, if any. */
export interface StoredCheckpoint {
  readonly fence: number;
  readonly checkpoint: Checkpoint | undefined;
}

/** Translates between checkpoint state and entities for one layout. */
export interface LayoutCodec {
  partitionKey(info: HostInfo): string;
  rowKey(partitionId: string): string;
  toEntity(partitionKey: string, rowKey: string, state: StoredCheckpoint): TableEntity<object>;
  /** Reads an entity; throws `CorruptRecord` naming it when a field is missing or wrongly typed. */
  parse(entity: Record<string, unknown>, partitionKey: string, rowKey: string): StoredCheckpoint;
}

/** The PartitionKey suffix of eph-layout checkpoint entities. */
export const CHECKPOINT_KIND = "eph-checkpoint";

/** Builds the `CorruptRecord` error for an entity, naming its keys. */
export function corruptCheckpoint(partitionKey: string, rowKey: string, reason: string): EphError {
  return new EphError(
    "CorruptRecord",
    `The checkpoint entity PartitionKey=${JSON.stringify(partitionKey)} RowKey=${JSON.stringify(rowKey)} is not a valid checkpoint: ${reason}.`,
    { partitionId: unescapeKeyPart(rowKey) ?? rowKey },
  );
}

const ephCodec: LayoutCodec = {
  partitionKey: (info) => groupPartitionKey(info, CHECKPOINT_KIND),
  rowKey: partitionRowKey,
  toEntity(partitionKey, rowKey, { fence, checkpoint }) {
    const entity: TableEntity<Record<string, unknown>> = { partitionKey, rowKey, fence: BigInt(fence) };
    if (checkpoint) {
      entity.sequenceNumber = BigInt(checkpoint.sequenceNumber);
      entity.offset = checkpoint.offset;
      entity.enqueuedTime = new Date(checkpoint.enqueuedTime.getTime());
    }
    return entity;
  },
  parse(entity, partitionKey, rowKey) {
    const bad = (reason: string) => corruptCheckpoint(partitionKey, rowKey, reason);
    const fence = toInteger(entity.fence);
    if (fence === undefined || fence < 0) throw bad(`"fence" is ${kind(entity.fence)}, expected an Int64 >= 0`);
    const present = ["sequenceNumber", "offset", "enqueuedTime"].filter((k) => entity[k] !== undefined);
    if (present.length === 0) return { fence, checkpoint: undefined };
    const sequenceNumber = toInteger(entity.sequenceNumber);
    if (sequenceNumber === undefined || sequenceNumber < 0) {
      throw bad(`"sequenceNumber" is ${kind(entity.sequenceNumber)}, expected an Int64 >= 0`);
    }
    if (typeof entity.offset !== "string") throw bad(`"offset" is ${kind(entity.offset)}, expected a string`);
    const time = entity.enqueuedTime;
    if (!(time instanceof Date) || Number.isNaN(time.getTime())) {
      throw bad(`"enqueuedTime" is ${kind(time)}, expected a DateTime`);
    }
    return { fence, checkpoint: { offset: entity.offset, sequenceNumber, enqueuedTime: new Date(time.getTime()) } };
  },
};

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

/** What the official store's readers take as "no position": start of stream (offset "-1"). */
const NO_POSITION = "-1";

const officialCodec: LayoutCodec = {
  partitionKey: (info) =>
    `${rawKeyPart("fullyQualifiedNamespace", info.fullyQualifiedNamespace)} ${rawKeyPart("eventHubName", info.eventHubName)} ${rawKeyPart("consumerGroup", info.consumerGroup)} Checkpoint`,
  rowKey(partitionId) {
    partitionRowKey(partitionId);
    return rawKeyPart("partitionId", partitionId);
  },
  toEntity(partitionKey, rowKey, { fence, checkpoint }) {
    // The official readers take every entity of the partition as a checkpoint, so a record that only
    // carries a fence still needs a position they understand: "-1", the start of the stream.
    const entity: TableEntity<Record<string, unknown>> = {
      partitionKey,
      rowKey,
      sequencenumber: checkpoint ? String(checkpoint.sequenceNumber) : NO_POSITION,
      offset: checkpoint ? checkpoint.offset : NO_POSITION,
      ephfence: BigInt(fence),
    };
    if (checkpoint) {
      entity.ephenqueuedtime = new Date(checkpoint.enqueuedTime.getTime());
      entity.ephsequencenumber = String(checkpoint.sequenceNumber);
    }
    return entity;
  },
  parse(entity, partitionKey, rowKey) {
    const bad = (reason: string) => corruptCheckpoint(partitionKey, rowKey, reason);
    // Records written by the official store carry no fence: fence 0.
    const fence = entity.ephfence === undefined ? 0 : toInteger(entity.ephfence);
    if (fence === undefined || fence < 0) throw bad(`"ephfence" is ${kind(entity.ephfence)}, expected an Int64 >= 0`);
    const { sequencenumber, offset } = entity;
    if (typeof sequencenumber !== "string" || !/^(-1|0|[1-9][0-9]*)$/.test(sequencenumber)) {
      throw bad(`"sequencenumber" is ${kind(sequencenumber)}, expected a decimal string`);
    }
    if (typeof offset !== "string") throw bad(`"offset" is ${kind(offset)}, expected a string`);
    if (sequencenumber === NO_POSITION) return { fence, checkpoint: undefined };
    const sequenceNumber = Number(sequencenumber);
    if (!Number.isSafeInteger(sequenceNumber)) throw bad(`"sequencenumber" ${sequencenumber} is out of range`);
    // The official store writes no enqueued time; its merges leave ours in place, so it is only
    // trusted when it was written together with the position it belongs to.
    const time = entity.ephenqueuedtime;
    const ownWrite = entity.ephsequencenumber === sequencenumber;
    const enqueuedTime = time instanceof Date && ownWrite ? new Date(time.getTime()) : new Date(0);
    return { fence, checkpoint: { offset, sequenceNumber, enqueuedTime } };
  },
};

/** The codec of a layout; `InvalidOption` for an unknown one. */
export function layoutCodec(layout: unknown): LayoutCodec {
  if (layout === undefined || layout === "eph") return ephCodec;
  if (layout === "checkpointstore-table") return officialCodec;
  throw new EphError(
    "InvalidOption",
    `layout must be "eph" or "checkpointstore-table", got ${JSON.stringify(layout)}.`,
  );
}

function toInteger(value: unknown): number | undefined {
  const n = typeof value === "bigint" ? Number(value) : typeof value === "number" ? value : Number.NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

function kind(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (typeof value === "string") return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (value instanceof Date) return "a DateTime";
  return `of type ${typeof value}`;
}
