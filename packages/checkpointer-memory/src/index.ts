export type { RecordScope as CheckpointScope } from "@eph/core";
export * from "@eph/memory-common/interceptor";
export {
  DefaultMaxCheckpointRecords,
  MemoryCheckpointStore,
  type MemoryCheckpointStoreOptions,
} from "./memory-checkpoint-store.js";
export { MemoryCheckpointer, type MemoryCheckpointerOptions } from "./memory-checkpointer.js";
export {
  MemoryDeadLetterDocuments,
  MemoryDeadLetterStore,
  type MemoryDeadLetterStoreOptions,
} from "./memory-dead-letters.js";
