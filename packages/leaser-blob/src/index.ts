export { BlobRequestError, type ConnectionOptions } from "@eph/blob-common";
export { BlobLeaser, type BlobLeaserConnectionOptions, type BlobLeaserOptions } from "./blob-leaser.js";
