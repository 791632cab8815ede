import { EphError } from "@eph/core";
import { redact } from "./redact.js";

/**
 * What went wrong in one PostgreSQL call, stripped of what could carry a secret. It is the `cause` of
 * the {@link EphError}s the PostgreSQL adapters raise, in place of node-postgres's error (which may hold
 * the query's parameters and, for connection errors, the client's settings).
 */
export class PgRequestError extends Error {
  /** The SQLSTATE (`42P01`, `57P01`…) or the socket error code (`ECONNREFUSED`), when there was one. */
  readonly code: string | undefined;

  /** Creates the error; `message` must already be redacted. */
  constructor(message: string, code: string | undefined) {
    super(message);
    this.name = "PgRequestError";
    this.code = code;
  }
}

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
  const text = thrown instanceof Error ? thrown.message : String(thrown);
  const cause = new PgRequestError(redact(text, secrets), code);
  if (signal?.aborted) return new EphError("Aborted", `${operation} was aborted.`, { cause, partitionId });
  if (code === "42P01") {
    return new EphError(
      "StoreNotFound",
      `${operation} failed: table ${table} does not exist (call ensureStore to create it).`,
      { cause, partitionId },
    );
  }
  const detail = code === undefined ? cause.message : `${cause.message} (${code})`;
  return new EphError("StoreUnavailable", `${operation} failed on table ${table}: ${detail}`, { cause, partitionId });
}
