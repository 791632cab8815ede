import { checkClient, EphError, requireConnectionString } from "@eph/core";
import pg from "pg";

/** Options for the pool that `fromConnectionString` creates. */
export interface PoolConnectionOptions {
  /**
   * Passed to `new pg.Pool` beside the connection string (`max`, `ssl`, `idleTimeoutMillis`…).
   * `connectionTimeoutMillis` defaults to 10 000 here: node-postgres would otherwise wait forever for
   * a server that does not answer.
   */
  poolOptions?: Omit<pg.PoolConfig, "connectionString">;
}

/** Throws `InvalidOption` unless `pool` looks like a `pg.Pool` (core's `checkClient`). */
export function validatePool(pool: unknown): pg.Pool {
  return checkClient(pool, ["connect", "query"], "pool must be a pg.Pool from node-postgres (pg)");
}

/** The password a pool connects with, so that it can be removed from every message. */
export function poolSecrets(pool: pg.Pool): string[] {
  const options = (pool as { options?: { password?: unknown; connectionString?: unknown } }).options;
  const secrets: string[] = [];
  if (typeof options?.password === "string") secrets.push(options.password);
  if (typeof options?.connectionString === "string") {
    try {
      const password = new URL(options.connectionString).password;
      if (password !== "") secrets.push(password, decodeURIComponent(password));
    } catch {
      // Not a URL: nothing to add beyond the patterns redact() knows.
    }
  }
  return secrets;
}

/**
 * Creates a pool from a `postgres://user:password@host:port/database` (or `postgresql://`) URL. The
 * connection string is checked before anything connects and never quoted in errors.
 */
export function poolFromConnectionString(connectionString: unknown, options: PoolConnectionOptions = {}): pg.Pool {
  requireConnectionString(
    connectionString,
    'The PostgreSQL connection string (argument "connectionString" of the PostgreSQL leaser or checkpointer)',
    "postgres://user:password@host:5432/database",
  );
  let url: URL | undefined;
  try {
    url = new URL(connectionString);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "postgres:" && url.protocol !== "postgresql:")) {
    throw new EphError(
      "InvalidConnectionString",
      "The connection string is not a postgres:// or postgresql:// URL (its contents are not shown); for other forms, create a pg.Pool and hand it in.",
    );
  }
  return new pg.Pool({ connectionTimeoutMillis: 10_000, ...options.poolOptions, connectionString });
}
