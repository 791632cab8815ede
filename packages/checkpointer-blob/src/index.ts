export { BlobRequestError, type ConnectionOptions } from "@eph/blob-common";
export {
  BlobCheckpointer,
  type BlobCheckpointerConnectionOptions,
  type BlobCheckpointerOptions,
} from "./blob-checkpointer.js";
export {
  BlobDeadLetterStore,
  type BlobDeadLetterStoreConnectionOptions,
  type BlobDeadLetterStoreOptions,
} from "./blob-dead-letter-store.js";
export type { CheckpointLayout } from "./checkpoint-layout.js";
