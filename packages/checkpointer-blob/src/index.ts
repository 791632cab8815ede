export {
  BlobCheckpointer,
  type BlobCheckpointerConnectionOptions,
  type BlobCheckpointerOptions,
} from "./blob-checkpointer.js";
export { BlobRequestError } from "./blob-request-error.js";
export type { CheckpointLayout } from "./checkpoint-layout.js";
export type { ConnectionOptions } from "./connection-string.js";
