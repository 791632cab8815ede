import { createClientLogger } from "@azure/logger";
import {
  type AdapterLogging,
  type AdapterRole,
  type Connect,
  connectionOptions,
  type RecordBackedOptions,
  roleOptions,
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
export interface PgRole extends AdapterRole<pg.Pool, PgAdapterOptions> {
  /** The table when the options name none. */
  readonly tableName: string;
}

/** The role of the PostgreSQL leaser or checkpointer named `name`, in table `tableName` unless told otherwise. */
function pgRole(name: string, tableName: string, logger: string): PgRole {
  return {
    name,
    options: ["tableName"],
    tableName,
    logger: () => createClientLogger(logger),
    // fromConnectionString hands in the store it built on a pool of its own.
    configure: (pool, o) => ({
      store:
        pool instanceof PgRecordStore
          ? pool
          : new PgRecordStore(pool, { tableName: o.tableName ?? tableName, logger: o.logger }),
    }),
  };
}

/** The PostgreSQL leaser: `eph_leases`, logging to `eph:leaser-postgres`. */
export const pgLeaser = pgRole("PostgresLeaser", "eph_leases", "eph:leaser-postgres");

/** The PostgreSQL checkpointer: `eph_checkpoints`, logging to `eph:checkpointer-postgres`. */
export const pgCheckpointer = pgRole("PostgresCheckpointer", "eph_checkpoints", "eph:checkpointer-postgres");

type Args = [pool: pg.Pool, options?: PgAdapterOptions];

/**
 * How core builds the adapter of `role`: on a `pg.Pool`, which stays the caller's (`close()` leaves it
 * open), or from a `postgres://user:password@host:port/database` URL on a pool of its own that
 * `close()` ends.
 */
export function pgAdapter(role: PgRole): [(...args: Args) => RecordBackedOptions, Connect<Args, PgConnectArgs>] {
  const connect = (connectionString: string, options?: PgAdapterConnectionOptions): Args => {
    const [{ poolOptions }, rest] = connectionOptions<PgAdapterOptions, PoolConnectionOptions>(role, options, [
      "poolOptions",
    ]);
    const tableName = rest.tableName ?? role.tableName;
    const store = PgRecordStore.fromConnectionString(connectionString, { tableName, logger: rest.logger, poolOptions });
    return [store as unknown as pg.Pool, rest];
  };
  return [roleOptions(role), connect];
}

/** The arguments of their `fromConnectionString`. */
export type PgConnectArgs = [connectionString: string, options?: PgAdapterConnectionOptions];
