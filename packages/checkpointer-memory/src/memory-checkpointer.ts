import { checkpointerClass } from "@eph/core";
import { type MemoryAdapterOptions, memoryAdapter, memoryStoreOf } from "@eph/memory-common";
import { MemoryCheckpointStore } from "./memory-checkpoint-store.js";

/** Options of {@link MemoryCheckpointer}: `store`, `interceptor` and `logger` (default: nowhere). */
export type MemoryCheckpointerOptions = MemoryAdapterOptions<MemoryCheckpointStore>;

/**
 * A {@link Checkpointer} over an in-process {@link MemoryCheckpointStore}: core's checkpoint protocol
 * (fences, no regression) over a record store with the semantics of a real one. One instance per host.
 * `new MemoryCheckpointer({ store })` shares `store` with other hosts' checkpointers; without one it
 * uses a private store of its own.
 */
export class MemoryCheckpointer extends checkpointerClass(
  memoryAdapter({ name: "MemoryCheckpointer", options: [], newStore: () => new MemoryCheckpointStore() }),
) {
  /** The store this checkpointer reads and writes. */
  get store(): MemoryCheckpointStore {
    return memoryStoreOf(this.records);
  }
}
