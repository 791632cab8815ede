import { createClientLogger } from "@azure/logger";
import { checkOptions, type Logger, RecordCheckpointer } from "@eph/core";
import { PgRecordStore, type PoolConnectionOptions } from "@eph/postgres-common";
import type pg from "pg";

/** Options of {@link PostgresCheckpointer}. */
export interface PostgresCheckpointerOptions {
  /** The table: `table` or `schema.table`, lower-case letters, digits and underscores. Default `eph_checkpoints`. */
  tableName?: string;
  /** Where recovered problems are reported (`@azure/logger`'s shape; `console` works). Default `createClientLogger("eph:checkpointer-postgres")`. */
  logger?: Logger | Console;
}

/** Options of {@link PostgresCheckpointer.fromConnectionString}. */
export interface PostgresCheckpointerConnectionOptions extends PostgresCheckpointerOptions, PoolConnectionOptions {}

const names = ["tableName", "logger"] as const;

/**
 * A {@link Checkpointer} in one PostgreSQL table through node-postgres: core's protocol over a
 * {@link PgRecordStore} (one row per record, compare-and-swap on its version). One instance per host.
 */
export class PostgresCheckpointer extends RecordCheckpointer {
  /** Uses `pool`, which stays the caller's: `close()` leaves it open. */
  constructor(pool: pg.Pool, options?: PostgresCheckpointerOptions) {
    const o = checkOptions(options, names, "PostgresCheckpointer");
    // fromConnectionString hands in the store it built on a pool of its own.
    const store = pool instanceof PgRecordStore ? pool : new PgRecordStore(pool, storeOptions(o));
    super({ store, logger: o.logger ?? createClientLogger("eph:checkpointer-postgres"), name: "PostgresCheckpointer" });
  }

  /** Creates a checkpointer on a pool of its own from a `postgres://user:password@host:port/database` URL; `close()` ends it. */
  static fromConnectionString(
    connectionString: string,
    options?: PostgresCheckpointerConnectionOptions,
  ): PostgresCheckpointer {
    const o = checkOptions(options, [...names, "poolOptions"], "PostgresCheckpointer");
    const store = PgRecordStore.fromConnectionString(connectionString, {
      ...storeOptions(o),
      poolOptions: o.poolOptions,
    });
    return new PostgresCheckpointer(store as unknown as pg.Pool, { tableName: o.tableName, logger: o.logger });
  }
}

function storeOptions(o: PostgresCheckpointerOptions) {
  return { tableName: o.tableName ?? "eph_checkpoints", logger: createClientLogger("eph:checkpointer-postgres") };
}
