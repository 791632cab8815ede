import { EphError } from "./errors.js";

/**
 * What went wrong in one store call, stripped of whatever could carry a secret. Adapters make it the
 * `cause` of the {@link EphError}s they raise, in place of their client's error (whose request, URL or
 * settings may hold a key, a SAS or a password), and subclass it to name their store.
 */
export class StoreRequestError extends Error {
  /** The store's error code (`TableNotFound`, a SQLSTATE such as `57P01`) or a socket code (`ECONNRESET`). */
  readonly code: string | undefined;
  /** HTTP status of the response, for stores spoken to over HTTP that answered. */
  readonly statusCode: number | undefined;

  /** Creates the error; `message` must already be redacted. */
  constructor(message: string, code: string | undefined, statusCode?: number) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.statusCode = statusCode;
  }
}

/** How a failed store call is reported: what the caller gets for it, under core's codes. */
export type StoreFailureKind = "aborted" | "storeNotFound" | "unavailable";

/** Where a failed store call happened, for {@link storeError}'s message. */
export interface StoreCallSite {
  /** The operation, e.g. `replace`. */
  readonly operation: string;
  /** The store as messages name it, e.g. `table "leases"`. */
  readonly store: string;
  /** The record's id, when the call concerned one record. */
  readonly partitionId?: string | undefined;
}

/**
 * The contract's error for a failed store call, once for every adapter: `Aborted` (its cause the
 * signal's reason when there is one), `StoreNotFound` saying to call `ensureStore`, or `StoreUnavailable`
 * quoting the (redacted) failure. The caller's retry policy decides what to do with the last.
 */
export function storeError(kind: StoreFailureKind, site: StoreCallSite, cause: unknown, reason?: unknown): EphError {
  const { operation, store, partitionId } = site;
  if (kind === "aborted")
    return new EphError("Aborted", `${operation} was aborted.`, { cause: reason ?? cause, partitionId });
  if (kind === "storeNotFound") {
    const message = `${operation} failed: ${store} does not exist (call ensureStore to create it).`;
    return new EphError("StoreNotFound", message, { cause, partitionId });
  }
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new EphError("StoreUnavailable", `${operation} failed on ${store}: ${detail}`, { cause, partitionId });
}
