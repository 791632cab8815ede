import { checkpointerClass } from "@eph/core";
import {
  type PgAdapterConnectionOptions,
  type PgAdapterOptions,
  pgAdapter,
  pgCheckpointer,
} from "@eph/postgres-common";

/** Options of {@link PostgresCheckpointer}: `tableName` (default `eph_checkpoints`) and `logger` (default `createClientLogger("eph:checkpointer-postgres")`). */
export type PostgresCheckpointerOptions = PgAdapterOptions;

/** Options of {@link PostgresCheckpointer.fromConnectionString}: those of the checkpointer and `poolOptions`. */
export type PostgresCheckpointerConnectionOptions = PgAdapterConnectionOptions;

/**
 * A {@link Checkpointer} in one PostgreSQL table through node-postgres: core's protocol over a
 * {@link PgRecordStore} (one row per record, compare-and-swap on its version). One instance per host.
 * `new PostgresCheckpointer(pool, options)` uses `pool`, which stays the caller's: `close()` leaves it
 * open; `PostgresCheckpointer.fromConnectionString("postgres://user:password@host:port/database", options)`
 * creates a pool of its own, which `close()` ends.
 */
export class PostgresCheckpointer extends checkpointerClass(...pgAdapter(pgCheckpointer)) {}
