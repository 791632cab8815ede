export {
  type MemoryStoreCall,
  type MemoryStoreInterceptor,
  type MemoryStoreOperation,
  nextMicrotask,
  type RecordScope as CheckpointScope,
} from "@eph/memory-common";
export {
  DefaultMaxCheckpointRecords,
  MemoryCheckpointStore,
  type MemoryCheckpointStoreOptions,
} from "./memory-checkpoint-store.js";
export { MemoryCheckpointer, type MemoryCheckpointerOptions } from "./memory-checkpointer.js";
