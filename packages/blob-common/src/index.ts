export { escapeId, pathSegment, recordBlobName, scopePrefix, unescapeId } from "./blob-names.js";
export { BlobRecordStore, type BlobRecordStoreOptions, ephFolders } from "./blob-record-store.js";
export {
  BlobRequestError,
  classifyFailure,
  type FailureKind,
  type StoreFailure,
  toEphError,
} from "./blob-request-error.js";
export {
  type ConnectionOptions,
  containerClientFromConnectionString,
  validateContainerClient,
  validateContainerName,
} from "./connection-string.js";
export { decodeMetadata, encodeMetadata, storedAsIs } from "./metadata-values.js";
