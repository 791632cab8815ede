import {
  checkPositiveInteger,
  EphError,
  type RecordKey,
  type RecordKind,
  type RecordScope,
  scopeKeyParts,
  type VersionedRecord,
} from "@eph/core";

/** A record as held: its fields unchecked, so that the test hooks can store what a buggy writer would. */
export type HeldRecord = Omit<VersionedRecord, "fields"> & { readonly fields: unknown };

/**
 * The state of a store: records grouped by scope, so listing one hub costs only that hub's records, and
 * a version counter, so no version is ever reused, not even after a delete.
 */
export interface RecordTable {
  present: boolean;
  size: number;
  lastVersion: number;
  readonly scopes: Map<string, Map<string, HeldRecord>>;
  readonly maxRecords: number;
  readonly description: string;
}

// Out of reach of the store's users: records change only through an adapter's conditional writes or the test hooks.
const tables = new WeakMap<object, RecordTable>();

/** The table behind a memory store (`InvalidOption` for anything else), for its adapters. */
export function tableOf(store: unknown): RecordTable {
  const table = tables.get(store as object);
  if (table === undefined)
    throw new EphError("InvalidOption", "options.store must be a store of an eph memory adapter.");
  return table;
}

/** The records of `scope`, keyed by JSON of kind and id (`StoreNotFound` unless the store exists). */
export function recordsIn(table: RecordTable, scope: RecordScope): Map<string, HeldRecord> {
  if (!table.present)
    throw new EphError("StoreNotFound", `The ${table.description} does not exist: call ensureStore() first.`);
  // JSON of the names: joining them with "-" would make hub "a" + group "b-c" collide with "a-b" + "c".
  const name = JSON.stringify(scopeKeyParts(scope));
  const records = table.scopes.get(name) ?? new Map<string, HeldRecord>();
  table.scopes.set(name, records);
  return records;
}

/** Writes the record unconditionally and returns its new version (`InvalidOption` when the store is full). */
export function put(table: RecordTable, { scope, kind, id }: RecordKey, fields: unknown): string {
  const records = recordsIn(table, scope);
  const name = JSON.stringify([kind, id]);
  if (!records.has(name)) {
    if (table.size >= table.maxRecords) {
      const what = `${kind === "host" ? "host" : "partition"} "${id}"`;
      const why = `the ${table.description} is full (maxRecords is ${table.maxRecords})`;
      throw new EphError("InvalidOption", `Cannot create the record of ${what}: ${why}.`);
    }
    table.size += 1;
  }
  table.lastVersion += 1;
  records.set(name, { kind, id, fields, version: String(table.lastVersion) });
  return String(table.lastVersion);
}

/**
 * The shared state behind in-memory adapters: what a container is to blob adapters. Hosts that share
 * one store object see the same records. Like a container it does not exist until an adapter's
 * `ensureStore()` creates it.
 */
export abstract class MemoryRecordStore {
  /** A store of records of `kind` holding at most `maxRecords`; `description` names it in errors. */
  protected constructor(
    maxRecords: number,
    description: string,
    private readonly kind: RecordKind,
  ) {
    checkPositiveInteger(maxRecords, "maxRecords");
    tables.set(this, { present: false, size: 0, lastVersion: 0, scopes: new Map(), maxRecords, description });
  }

  /** The most records this store holds. */
  get maxRecords(): number {
    return tableOf(this).maxRecords;
  }

  /** Number of records held, across all scopes. */
  get size(): number {
    return tableOf(this).size;
  }

  /** True after `ensureStore()` and until the store is deleted. */
  get exists(): boolean {
    return tableOf(this).present;
  }

  /** Deletes the store and every record in it at once, as an operator deleting a container would. */
  drop(): void {
    const table = tableOf(this);
    table.present = false;
    table.size = 0;
    table.scopes.clear();
  }

  /**
   * Test hook: stores `fields` unvalidated, as a buggy writer might (`StoreNotFound` without a store),
   * as a record of `kind` (default: this store's kind).
   */
  writeRaw(scope: RecordScope, id: string, fields: unknown, kind: RecordKind = this.kind): void {
    put(tableOf(this), { scope, kind, id }, fields);
  }

  /** Test hook: the stored fields of a record as they are, or `undefined`. */
  readRaw(scope: RecordScope, partitionId: string): unknown {
    return recordsIn(tableOf(this), scope).get(JSON.stringify([this.kind, partitionId]))?.fields;
  }
}

/** Options of a memory store. */
export interface MemoryStoreOptions {
  /** Most records, across every hub; one more is `InvalidOption`. */
  maxRecords?: number;
}

/** The class of the memory store of `kind` records, holding at most `defaultMax` unless told otherwise. */
export function memoryStoreClass(
  kind: RecordKind,
  defaultMax: number,
): new (
  options?: MemoryStoreOptions,
) => MemoryRecordStore {
  return class extends MemoryRecordStore {
    constructor(options: MemoryStoreOptions = {}) {
      super(options.maxRecords ?? defaultMax, `in-memory ${kind} store`, kind);
    }
  };
}
