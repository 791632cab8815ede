import { leaserClass } from "@eph/core";
import { type PgAdapterConnectionOptions, type PgAdapterOptions, pgAdapter, pgLeaser } from "@eph/postgres-common";

/** Options of {@link PostgresLeaser}: `tableName` (default `eph_leases`) and `logger` (default `createClientLogger("eph:leaser-postgres")`). */
export type PostgresLeaserOptions = PgAdapterOptions;

/** Options of {@link PostgresLeaser.fromConnectionString}: those of the leaser and `poolOptions`. */
export type PostgresLeaserConnectionOptions = PgAdapterConnectionOptions;

/**
 * A {@link Leaser} in one PostgreSQL table through node-postgres: core's protocol over a
 * {@link PgRecordStore} (one row per record, compare-and-swap on its version). One instance per host.
 * `new PostgresLeaser(pool, options)` uses `pool`, which stays the caller's: `close()` leaves it open;
 * `PostgresLeaser.fromConnectionString("postgres://user:password@host:port/database", options)` creates
 * a pool of its own, which `close()` ends.
 */
export class PostgresLeaser extends leaserClass(...pgAdapter(pgLeaser)) {}
