export { BlobLeaser, type BlobLeaserConnectionOptions, type BlobLeaserOptions } from "./blob-leaser.js";
export { BlobRequestError } from "./blob-request-error.js";
export type { ConnectionOptions } from "./connection-string.js";
