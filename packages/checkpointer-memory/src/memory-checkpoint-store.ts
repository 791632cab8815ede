import { type MemoryStoreOptions, memoryStoreClass } from "@eph/memory-common";

/** How many checkpoint records a {@link MemoryCheckpointStore} holds unless told otherwise. */
export const DefaultMaxCheckpointRecords = 100_000;

/** Options of {@link MemoryCheckpointStore}: `maxRecords`, default {@link DefaultMaxCheckpointRecords}. */
export type MemoryCheckpointStoreOptions = MemoryStoreOptions;

/**
 * The shared state behind {@link MemoryCheckpointer}s: what a blob container is to blob checkpointers.
 * Hosts that share one store object share checkpoints. `new MemoryCheckpointStore({ maxRecords })` is
 * empty and does not exist yet: a checkpointer's `ensureStore()` makes it.
 */
export class MemoryCheckpointStore extends memoryStoreClass("checkpoint", DefaultMaxCheckpointRecords) {}
