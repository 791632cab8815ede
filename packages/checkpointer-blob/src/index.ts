export { BlobRequestError, type ConnectionOptions } from "@eph/blob-common";
export {
  BlobCheckpointer,
  type BlobCheckpointerConnectionOptions,
  type BlobCheckpointerOptions,
} from "./blob-checkpointer.js";
export type { CheckpointLayout } from "./checkpoint-layout.js";
