import { createClientLogger } from "@azure/logger";
import {
  type AdapterLogging,
  type AdapterSpec,
  adapterOptions,
  type Connect,
  type RecordBackedOptions,
} from "@eph/core";
import type pg from "pg";
import { PgRecordStore } from "./pg-record-store.js";
import type { PoolConnectionOptions } from "./pool.js";

/** Options of the PostgreSQL leaser and checkpointer. */
export interface PgAdapterOptions extends AdapterLogging {
  /**
   * The table: `table` or `schema.table`, lower-case letters, digits and underscores. Default
   * `eph_leases` for the leaser, `eph_checkpoints` for the checkpointer.
   */
  tableName?: string;
}

/** Options of their `fromConnectionString`. */
export interface PgAdapterConnectionOptions extends PgAdapterOptions, PoolConnectionOptions {}

/** Which adapter: its class name, default logger and default table. */
export interface PgRole extends AdapterSpec {
  /** The table when the options name none. */
  readonly tableName: string;
}

/** The PostgreSQL leaser: `eph_leases`, logging to `eph:leaser-postgres`. */
export const pgLeaser: PgRole = {
  name: "PostgresLeaser",
  options: ["tableName"],
  tableName: "eph_leases",
  logger: () => createClientLogger("eph:leaser-postgres"),
};

/** The PostgreSQL checkpointer: `eph_checkpoints`, logging to `eph:checkpointer-postgres`. */
export const pgCheckpointer: PgRole = {
  name: "PostgresCheckpointer",
  options: ["tableName"],
  tableName: "eph_checkpoints",
  logger: () => createClientLogger("eph:checkpointer-postgres"),
};

type Args = [pool: pg.Pool, options?: PgAdapterOptions];

/**
 * How core builds the adapter of `role`: on a `pg.Pool`, which stays the caller's (`close()` leaves it
 * open), or from a `postgres://user:password@host:port/database` URL on a pool of its own that
 * `close()` ends.
 */
export function pgAdapter(role: PgRole): [(...args: Args) => RecordBackedOptions, Connect<Args, PgConnectArgs>] {
  const build = (pool: pg.Pool, options?: PgAdapterOptions): RecordBackedOptions => {
    const o = adapterOptions(role, options);
    // fromConnectionString hands in the store it built on a pool of its own.
    const tableName = o.tableName ?? role.tableName;
    const store = pool instanceof PgRecordStore ? pool : new PgRecordStore(pool, { tableName, logger: o.logger });
    return { store, logger: o.logger, name: role.name };
  };
  const connect = (connectionString: string, options?: PgAdapterConnectionOptions): Args => {
    const { poolOptions, ...rest } = adapterOptions(role, options, ["poolOptions"]);
    const tableName = rest.tableName ?? role.tableName;
    const store = PgRecordStore.fromConnectionString(connectionString, { tableName, logger: rest.logger, poolOptions });
    return [store as unknown as pg.Pool, rest];
  };
  return [build, connect];
}

/** The arguments of their `fromConnectionString`. */
export type PgConnectArgs = [connectionString: string, options?: PgAdapterConnectionOptions];
