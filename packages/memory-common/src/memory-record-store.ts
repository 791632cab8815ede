import { EphError, type RecordKind, type RecordScope } from "@eph/core";
import { RecordTable } from "./record-table.js";

const tables = new WeakMap<MemoryRecordStore, RecordTable>();

/** The table behind a store: for the memory adapters only, not for their users. */
export function recordTableOf(store: unknown): RecordTable {
  const table = tables.get(store as MemoryRecordStore);
  if (table === undefined)
    throw new EphError("InvalidOption", "options.store must be a store of an eph memory adapter.");
  return table;
}

/**
 * The shared state behind in-memory adapters: what a blob container is to blob adapters. Hosts that
 * share one store object see the same records. Like a real container it does not exist until an
 * adapter's `ensureStore()` creates it. The table stays out of reach of the store's users, so records
 * change only through an adapter's conditional writes or the test hooks below.
 */
export abstract class MemoryRecordStore {
  /**
   * An empty, not yet existing store of records of `kind`, holding at most `maxRecords` (`InvalidOption`
   * unless a positive integer); `description` names it in errors, e.g. `in-memory lease store`.
   */
  protected constructor(
    maxRecords: number,
    description: string,
    private readonly kind: RecordKind,
  ) {
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
    return recordTableOf(this).present;
  }

  /** Deletes the store and every record in it at once, as an operator deleting a container would. */
  drop(): void {
    recordTableOf(this).drop();
  }

  /**
   * Test hook: stores `fields` as the record of `partitionId` in `scope`, unvalidated, as a buggy or
   * foreign writer might. Throws `StoreNotFound` if the store does not exist.
   */
  writeRaw(scope: RecordScope, partitionId: string, fields: unknown): void {
    recordTableOf(this).put(scope, this.kind, partitionId, fields);
  }

  /** Test hook: the stored fields of a record as they are, or `undefined`. */
  readRaw(scope: RecordScope, partitionId: string): unknown {
    return recordTableOf(this).get(scope, this.kind, partitionId)?.fields;
  }
}
