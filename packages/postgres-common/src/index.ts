export { PgRequestError, toEphError } from "./pg-failure.js";
export { PgRecordStore, type PgRecordStoreOptions } from "./pg-record-store.js";
export { type PoolConnectionOptions, poolFromConnectionString, validatePool } from "./pool.js";
export { redact } from "./redact.js";
export { quotedTableName } from "./table-name.js";
