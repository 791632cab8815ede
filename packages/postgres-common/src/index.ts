export {
  type PgAdapterConnectionOptions,
  type PgAdapterOptions,
  type PgConnectArgs,
  type PgRole,
  pgAdapter,
  pgCheckpointer,
  pgLeaser,
} from "./pg-adapter.js";
export { PgRequestError, toEphError } from "./pg-failure.js";
export { PgRecordStore, type PgRecordStoreOptions } from "./pg-record-store.js";
export { type PoolConnectionOptions, poolFromConnectionString, validatePool } from "./pool.js";
export { quotedTableName } from "./table-name.js";
