import { EphError } from "@eph/core";
import { RecordTable } from "./record-table.js";
import { type RecordScope, scopeKey } from "./scope.js";

const tables = new WeakMap<MemoryRecordStore, RecordTable>();

/** The table behind a store: for the memory leaser and checkpointer only, not for their users. */
export function recordTableOf(store: MemoryRecordStore): RecordTable {
  const table = tables.get(store);
  if (table === undefined) throw new EphError("InvalidOption", "store must be a store of an eph memory adapter.");
  return table;
}

/**
 * The shared state behind in-memory adapters: what a blob container is to blob adapters. Hosts that
 * share one store object see the same records. Like a real container it does not exist until an
 * adapter's `ensureStore()` creates it. The table itself stays out of reach of the store's users, so
 * records change only through an adapter's conditional writes or the test hooks below.
 */
export abstract class MemoryRecordStore {
  /**
   * Creates an empty, not yet existing store holding at most `maxRecords` records (`InvalidOption`
   * unless a positive integer); `description` names it in errors, e.g. `in-memory lease store`.
   */
  protected constructor(maxRecords: number, description: string) {
    if (!Number.isSafeInteger(maxRecords) || maxRecords < 1) {
      throw new EphError("InvalidOption", `maxRecords must be a positive integer, got ${String(maxRecords)}.`);
    }
    tables.set(this, new RecordTable(maxRecords, description));
  }

  /** The most records this store holds. */
  get maxRecords(): number {
    return recordTableOf(this).maxRecords;
  }

  /** Number of records held, across all scopes. */
  get size(): number {
    return recordTableOf(this).size;
  }

  /** True after `ensureStore()` and until the store is deleted. */
  get exists(): boolean {
    return recordTableOf(this).exists;
  }

  /**
   * Deletes the store and every record in it at once, as an operator deleting a container would,
   * without going through an adapter. Adapters then get `StoreNotFound` until one calls `ensureStore()`.
   */
  drop(): void {
    recordTableOf(this).drop();
  }

  /**
   * Test hook: stores `value` as the record of `partitionId` in `scope`, unvalidated, as a buggy or
   * foreign writer might. Adapters reject `CorruptRecord` on it (and a leaser's `getLeases` skips it).
   * Throws `StoreNotFound` if the store does not exist.
   */
  writeRaw(scope: RecordScope, partitionId: string, value: unknown): void {
    recordTableOf(this).upsert(scopeKey(scope), partitionId, value, `partition "${partitionId}"`);
  }

  /** Test hook: the stored value of a record as it is, or `undefined`. Throws `StoreNotFound` if the store does not exist. */
  readRaw(scope: RecordScope, partitionId: string): unknown {
    return recordTableOf(this).read(scopeKey(scope), partitionId)?.value;
  }
}
