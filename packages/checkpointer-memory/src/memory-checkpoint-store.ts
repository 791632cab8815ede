import { MemoryRecordStore } from "@eph/memory-common";

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

/**
 * The shared state behind {@link MemoryCheckpointer}s: what a blob container is to blob checkpointers.
 * Hosts that share one store object read and write the same checkpoints. Like a real container it does
 * not exist until a checkpointer's `ensureStore()` creates it.
 */
export class MemoryCheckpointStore extends MemoryRecordStore {
  /** Creates an empty store (not yet existing: call `ensureStore()` on a checkpointer). */
  constructor(options: MemoryCheckpointStoreOptions = {}) {
    super(options.maxRecords ?? DefaultMaxCheckpointRecords, "in-memory checkpoint store", "checkpoint");
  }
}
