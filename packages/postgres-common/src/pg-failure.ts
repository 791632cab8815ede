import { type EphError, redactSecrets, StoreRequestError, storeError } from "@eph/core";

/**
 * What went wrong in one PostgreSQL call, stripped of what could carry a secret: the `cause` of the
 * errors the PostgreSQL adapters raise, in place of node-postgres's error (which may hold the query's
 * parameters and, for connection errors, the client's settings). `code` is the SQLSTATE (`42P01`,
 * `57P01`…) or the socket error code (`ECONNREFUSED`).
 */
export class PgRequestError extends StoreRequestError {}

/** The SQLSTATE or socket error code of whatever node-postgres threw. */
export function failureCode(thrown: unknown): string | undefined {
  const code = (thrown as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && code !== "" ? code : undefined;
}

/**
 * The contract's error for a failed call: `Aborted` when `signal` fired, `StoreNotFound` for 42P01
 * (undefined_table), `StoreUnavailable` for everything else. Lost connections (class 08, 57P01
 * admin_shutdown, socket errors), exhausted resources (class 53, e.g. 53300 too_many_connections) and
 * lock or serialization failures are transient; the rest (permissions, authentication) cannot be
 * retried away either, but the contract has no better code and the message says which it was.
 */
export function toEphError(
  thrown: unknown,
  operation: string,
  table: string,
  secrets: readonly string[],
  signal?: AbortSignal,
  partitionId?: string,
): EphError {
  const code = failureCode(thrown);
  const text = redactSecrets(thrown instanceof Error ? thrown.message : String(thrown), secrets);
  const cause = new PgRequestError(code === undefined ? text : `${text} (${code})`, code);
  const kind = signal?.aborted ? "aborted" : code === "42P01" ? "storeNotFound" : "unavailable";
  return storeError(kind, { operation, store: `table ${table}`, partitionId }, cause);
}
