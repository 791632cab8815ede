import { EphError, type RecordKind, type RecordScope, scopeKeyParts } from "@eph/core";

// Table keys may not contain / \ # ? or control characters; `%`, `+` and `'` are legal but have a
// history of being mangled by URL handling in some clients and in Cosmos DB's Table API. Everything
// outside a small safe set is therefore escaped as `!XX` (or `!uXXXX` beyond Latin-1), `!` included,
// which keeps the mapping reversible and lets the space separate the key's parts.
const SAFE = /^[A-Za-z0-9._$~-]$/;

/** Escapes one part of a PartitionKey or RowKey so that it only holds characters every table accepts. */
export function escapeKeyPart(part: string): string {
  let out = "";
  for (let i = 0; i < part.length; i++) {
    const ch = part.charAt(i);
    if (SAFE.test(ch)) {
      out += ch;
      continue;
    }
    const code = part.charCodeAt(i);
    out +=
      code < 0x100
        ? `!${code.toString(16).toUpperCase().padStart(2, "0")}`
        : `!u${code.toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return out;
}

/** Reverses {@link escapeKeyPart}; `undefined` when `key` is not something it produced. */
export function unescapeKeyPart(key: string): string | undefined {
  let out = "";
  for (let i = 0; i < key.length; ) {
    const ch = key.charAt(i);
    if (ch !== "!") {
      if (!SAFE.test(ch)) return undefined;
      out += ch;
      i += 1;
      continue;
    }
    const long = key.charAt(i + 1) === "u";
    const hex = long ? key.slice(i + 2, i + 6) : key.slice(i + 1, i + 3);
    if (!/^[0-9A-F]+$/.test(hex) || hex.length !== (long ? 4 : 2)) return undefined;
    out += String.fromCharCode(Number.parseInt(hex, 16));
    i += long ? 6 : 3;
  }
  return out;
}

/** The largest key the service accepts (1 KiB). */
const MAX_KEY_LENGTH = 1024;

/**
 * The PartitionKey that groups every record of one kind for a namespace, event hub and consumer group:
 * `<namespace> <hub> <consumer group> <kind>` (kind `eph-lease`, `eph-checkpoint`, `eph-host`), names
 * lower-cased (core's `scopeKeyParts`) and escaped. One table partition per consumer group lets a single query list them all and lets writes
 * share entity group transactions.
 */
export function groupPartitionKey(scope: RecordScope, kind: string): string {
  const key = [...scopeKeyParts(scope).map(escapeKeyPart), kind].join(" ");
  if (key.length > MAX_KEY_LENGTH) {
    throw new EphError(
      "InvalidOption",
      `The namespace, event hub and consumer group names are too long for a table key (${key.length} > ${MAX_KEY_LENGTH} characters).`,
    );
  }
  return key;
}

/** The RowKey of a partition's record: its escaped id. Rejects ids no table key can hold. */
export function partitionRowKey(partitionId: unknown): string {
  if (typeof partitionId !== "string" || partitionId === "") {
    throw new EphError("InvalidOption", `partitionId must be a non-empty string, got ${describe(partitionId)}.`);
  }
  const key = escapeKeyPart(partitionId);
  if (key.length > MAX_KEY_LENGTH) {
    throw new EphError("InvalidOption", `partitionId is too long for a table key (${partitionId.length} characters).`, {
      partitionId,
    });
  }
  return key;
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  return value === null ? "null" : typeof value;
}

/**
 * Where a {@link TableRecordStore} keeps one kind of record: the PartitionKey of a scope, the RowKey of
 * an id, and back. A layout other than {@link ephKeyLayout} lets a store share a table with another
 * tool's records (the official checkpoint store's `<namespace> <hub> <group> Checkpoint`). Both key
 * functions throw `InvalidOption` for names they cannot hold.
 */
export interface TableKeyLayout {
  /** The PartitionKey of the kind's records in `scope`. */
  partitionKey(scope: RecordScope, kind: RecordKind): string;
  /** The RowKey of the record with this id. */
  rowKey(id: string): string;
  /** The id a RowKey holds, or `undefined` when the layout did not write it. */
  id(rowKey: string): string | undefined;
}

/** eph's own layout: {@link groupPartitionKey} with kind `eph-<kind>`, RowKey the escaped id. */
export const ephKeyLayout: TableKeyLayout = {
  partitionKey: (scope, kind) => groupPartitionKey(scope, `eph-${kind}`),
  rowKey: (id) => partitionRowKey(id),
  id: (rowKey) => (rowKey === "" ? undefined : unescapeKeyPart(rowKey)),
};
