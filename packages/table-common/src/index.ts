export { tableClientFromConnectionString, validateTableName } from "./connection-string.js";
export {
  ephKeyLayout,
  escapeKeyPart,
  groupPartitionKey,
  partitionRowKey,
  type TableKeyLayout,
  unescapeKeyPart,
} from "./entity-keys.js";
export {
  type TableConnectArgs,
  type TableConnectionOptions,
  tableAdapter,
  tableNameOf,
} from "./table-adapter.js";
export { TableRecordStore, type TableRecordStoreOptions } from "./table-record-store.js";
export { classifyFailure, TableRequestError } from "./table-request-error.js";
