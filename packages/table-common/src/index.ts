export { tableClientFromConnectionString, validateTableName } from "./connection-string.js";
export { escapeKeyPart, groupPartitionKey, partitionRowKey, unescapeKeyPart } from "./entity-keys.js";
export { validateHostInfo } from "./host-info.js";
export { redact } from "./redact.js";
export {
  classifyFailure,
  type FailureKind,
  type StoreFailure,
  TableRequestError,
  toEphError,
} from "./table-request-error.js";
export { TableStore } from "./table-store.js";
