export {
  DefaultMaxCheckpointRecords,
  MemoryCheckpointStore,
  type MemoryCheckpointStoreOptions,
} from "./memory-checkpoint-store.js";
export { MemoryCheckpointer, type MemoryCheckpointerOptions } from "./memory-checkpointer.js";
export type { CheckpointScope } from "./scope.js";
export {
  type MemoryStoreCall,
  type MemoryStoreInterceptor,
  type MemoryStoreOperation,
  nextMicrotask,
} from "./store-call.js";
