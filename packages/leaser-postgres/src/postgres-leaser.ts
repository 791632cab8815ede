import { createClientLogger } from "@azure/logger";
import { checkOptions, type Logger, RecordLeaser } from "@eph/core";
import { PgRecordStore, type PoolConnectionOptions } from "@eph/postgres-common";
import type pg from "pg";

/** Options of {@link PostgresLeaser}. */
export interface PostgresLeaserOptions {
  /** The table: `table` or `schema.table`, lower-case letters, digits and underscores. Default `eph_leases`. */
  tableName?: string;
  /** Where recovered problems are reported (`@azure/logger`'s shape; `console` works). Default `createClientLogger("eph:leaser-postgres")`. */
  logger?: Logger | Console;
}

/** Options of {@link PostgresLeaser.fromConnectionString}. */
export interface PostgresLeaserConnectionOptions extends PostgresLeaserOptions, PoolConnectionOptions {}

const names = ["tableName", "logger"] as const;

/**
 * A {@link Leaser} in one PostgreSQL table through node-postgres: core's protocol over a
 * {@link PgRecordStore} (one row per record, compare-and-swap on its version). One instance per host.
 */
export class PostgresLeaser extends RecordLeaser {
  /** Uses `pool`, which stays the caller's: `close()` leaves it open. */
  constructor(pool: pg.Pool, options?: PostgresLeaserOptions) {
    const o = checkOptions(options, names, "PostgresLeaser");
    // fromConnectionString hands in the store it built on a pool of its own.
    const store = pool instanceof PgRecordStore ? pool : new PgRecordStore(pool, storeOptions(o));
    super({ store, logger: o.logger ?? createClientLogger("eph:leaser-postgres"), name: "PostgresLeaser" });
  }

  /** Creates a leaser on a pool of its own from a `postgres://user:password@host:port/database` URL; `close()` ends it. */
  static fromConnectionString(connectionString: string, options?: PostgresLeaserConnectionOptions): PostgresLeaser {
    const o = checkOptions(options, [...names, "poolOptions"], "PostgresLeaser");
    const store = PgRecordStore.fromConnectionString(connectionString, {
      ...storeOptions(o),
      poolOptions: o.poolOptions,
    });
    return new PostgresLeaser(store as unknown as pg.Pool, { tableName: o.tableName, logger: o.logger });
  }
}

function storeOptions(o: PostgresLeaserOptions) {
  return { tableName: o.tableName ?? "eph_leases", logger: createClientLogger("eph:leaser-postgres") };
}
