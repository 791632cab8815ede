export type { RecordScope as CheckpointScope } from "@eph/core";
export {
  type MemoryStoreCall,
  type MemoryStoreInterceptor,
  type MemoryStoreOperation,
  nextMicrotask,
} from "@eph/memory-common";
export {
  DefaultMaxCheckpointRecords,
  MemoryCheckpointStore,
  type MemoryCheckpointStoreOptions,
} from "./memory-checkpoint-store.js";
export { MemoryCheckpointer, type MemoryCheckpointerOptions } from "./memory-checkpointer.js";
