import { EphError } from "@eph/core";
import { RecordTable } from "./record-table.js";
import { type CheckpointScope, scopeKey } from "./scope.js";

/** How many checkpoint records a {@link MemoryCheckpointStore} holds unless told otherwise. */
export const DefaultMaxCheckpointRecords = 100_000;

/** Options of {@link MemoryCheckpointStore}. */
export interface MemoryCheckpointStoreOptions {
  /**
   * Most records the store holds, across every hub and consumer group (default
   * {@link DefaultMaxCheckpointRecords}). Creating one more rejects with `InvalidOption` naming this limit.
   */
  maxRecords?: number;
}

const tables = new WeakMap<MemoryCheckpointStore, RecordTable>();

/** The table behind a store: for the checkpointers of this package only. */
export function tableOf(store: MemoryCheckpointStore): RecordTable {
  return tables.get(store)!;
}

/**
 * The shared state behind {@link MemoryCheckpointer}s: what a blob container is to blob checkpointers.
 * Hosts that share one store object read and write the same checkpoints. Like a real container it does
 * not exist until a checkpointer's `ensureStore()` creates it.
 */
export class MemoryCheckpointStore {
  /** Creates an empty store (not yet existing: call `ensureStore()` on a checkpointer). */
  constructor(options: MemoryCheckpointStoreOptions = {}) {
    const maxRecords = options.maxRecords ?? DefaultMaxCheckpointRecords;
    if (!Number.isSafeInteger(maxRecords) || maxRecords < 1) {
      throw new EphError("InvalidOption", `maxRecords must be a positive integer, got ${String(maxRecords)}.`);
    }
    tables.set(this, new RecordTable(maxRecords, "in-memory checkpoint store"));
  }

  /** The most records this store holds. */
  get maxRecords(): number {
    return tableOf(this).maxRecords;
  }

  /** Number of checkpoint records held, across all scopes. */
  get size(): number {
    return tableOf(this).size;
  }

  /** True after `ensureStore()` and until the store is deleted. */
  get exists(): boolean {
    return tableOf(this).exists;
  }

  /**
   * Deletes the store and every record in it at once, as an operator deleting a container would,
   * without going through a checkpointer. Checkpointers then get `StoreNotFound` until one calls `ensureStore()`.
   */
  drop(): void {
    tableOf(this).drop();
  }

  /**
   * Test hook: stores `value` as the checkpoint record of `partitionId` in `scope`, unvalidated, as a
   * buggy or foreign writer might. Checkpointers reject `CorruptRecord` on it.
   * Throws `StoreNotFound` if the store does not exist.
   */
  writeRaw(scope: CheckpointScope, partitionId: string, value: unknown): void {
    tableOf(this).upsert(scopeKey(scope), partitionId, value, `partition "${partitionId}"`);
  }

  /** Test hook: the stored value of a checkpoint record as it is, or `undefined`. Throws `StoreNotFound` if the store does not exist. */
  readRaw(scope: CheckpointScope, partitionId: string): unknown {
    return tableOf(this).read(scopeKey(scope), partitionId)?.value;
  }
}
