export { partitionBlobName, partitionIdOf, pathSegment, scopePrefix } from "./blob-names.js";
export {
  BlobRequestError,
  classifyFailure,
  type FailureKind,
  type StoreFailure,
  toEphError,
} from "./blob-request-error.js";
export { type BlobScope, blobScope } from "./blob-scope.js";
export {
  type ConnectionOptions,
  containerClientFromConnectionString,
  validateContainerClient,
  validateContainerName,
} from "./connection-string.js";
export { containerExists, ensureContainer } from "./container-provisioning.js";
export { ContainerStore } from "./container-store.js";
export { redact } from "./redact.js";
