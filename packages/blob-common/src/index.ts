export { type BlobConnectArgs, blobAdapter, containerNameOf } from "./blob-adapter.js";
export { BlobDeadLetterDocuments } from "./blob-dead-letter-documents.js";
export { recordBlobName, scopePrefix } from "./blob-names.js";
export { BlobRecordStore, type BlobRecordStoreOptions, ephFolders } from "./blob-record-store.js";
export { BlobRequestError } from "./blob-request-error.js";
export { type ConnectionOptions, clientSecrets, containerClientFromConnectionString } from "./connection-string.js";
export { storedAsIs } from "./metadata-values.js";
