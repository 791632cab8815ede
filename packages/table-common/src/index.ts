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
  type TableRole,
  type TableRoleOptions,
  tableAdapter,
  tableNameOf,
} from "./table-adapter.js";
export { TableRecordStore, type TableRecordStoreOptions } from "./table-record-store.js";
export {
  classifyFailure,
  type FailureKind,
  type StoreFailure,
  TableRequestError,
  toEphError,
} from "./table-request-error.js";
