import { EphError } from "@eph/core";
import { RecordTable } from "./record-table.js";
import { type LeaseScope, scopeKey } from "./scope.js";

/** How many lease records a {@link MemoryLeaseStore} holds unless told otherwise. */
export const DefaultMaxLeaseRecords = 100_000;

/** Options of {@link MemoryLeaseStore}. */
export interface MemoryLeaseStoreOptions {
  /**
   * Most records the store holds, across every hub and consumer group (default
   * {@link DefaultMaxLeaseRecords}). Creating one more rejects with `InvalidOption` naming this limit.
   */
  maxRecords?: number;
}

const tables = new WeakMap<MemoryLeaseStore, RecordTable>();

/** The table behind a store: for the leasers of this package only. */
export function tableOf(store: MemoryLeaseStore): RecordTable {
  return tables.get(store)!;
}

/**
 * The shared state behind {@link MemoryLeaser}s: what a blob container is to blob leasers. Hosts that
 * share one store object compete for the same leases. Like a real container it does not exist until a
 * leaser's `ensureStore()` creates it.
 */
export class MemoryLeaseStore {
  /** Creates an empty store (not yet existing: call `ensureStore()` on a leaser). */
  constructor(options: MemoryLeaseStoreOptions = {}) {
    const maxRecords = options.maxRecords ?? DefaultMaxLeaseRecords;
    if (!Number.isSafeInteger(maxRecords) || maxRecords < 1) {
      throw new EphError("InvalidOption", `maxRecords must be a positive integer, got ${String(maxRecords)}.`);
    }
    tables.set(this, new RecordTable(maxRecords, "in-memory lease store"));
  }

  /** The most records this store holds. */
  get maxRecords(): number {
    return tableOf(this).maxRecords;
  }

  /** Number of lease records held, across all scopes. */
  get size(): number {
    return tableOf(this).size;
  }

  /** True after `ensureStore()` and until the store is deleted. */
  get exists(): boolean {
    return tableOf(this).exists;
  }

  /**
   * Deletes the store and every record in it at once, as an operator deleting a container would,
   * without going through a leaser. Leasers then get `StoreNotFound` until one calls `ensureStore()`.
   */
  drop(): void {
    tableOf(this).drop();
  }

  /**
   * Test hook: stores `value` as the lease record of `partitionId` in `scope`, unvalidated, as a buggy
   * or foreign writer might. Leasers skip it in `getLeases` and reject `CorruptRecord` on it otherwise.
   * Throws `StoreNotFound` if the store does not exist.
   */
  writeRaw(scope: LeaseScope, partitionId: string, value: unknown): void {
    tableOf(this).upsert(scopeKey(scope), partitionId, value, `partition "${partitionId}"`);
  }

  /** Test hook: the stored value of a lease record as it is, or `undefined`. Throws `StoreNotFound` if the store does not exist. */
  readRaw(scope: LeaseScope, partitionId: string): unknown {
    return tableOf(this).read(scopeKey(scope), partitionId)?.value;
  }
}
