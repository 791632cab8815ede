import { MemoryRecordStore } from "@eph/memory-common";

/** How many checkpoint records a {@link MemoryCheckpointStore} holds unless told otherwise. */
export const DefaultMaxCheckpointRecords = 100_000;

/** Options of {@link MemoryCheckpointStore}. */
export interface MemoryCheckpointStoreOptions {
  /** Most records, across every hub (default {@link DefaultMaxCheckpointRecords}); one more is `InvalidOption`. */
  maxRecords?: number;
}

/**
 * The shared state behind {@link MemoryCheckpointer}s: what a blob container is to blob checkpointers.
 * Hosts that share one store object share checkpoints. It exists once a checkpointer's `ensureStore()` made it.
 */
export class MemoryCheckpointStore extends MemoryRecordStore {
  /** Creates an empty store (not yet existing: call `ensureStore()` on a checkpointer). */
  constructor(options: MemoryCheckpointStoreOptions = {}) {
    super(options.maxRecords ?? DefaultMaxCheckpointRecords, "in-memory checkpoint store", "checkpoint");
  }
}
