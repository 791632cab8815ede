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

/**
 * Failures that answer a conditional call instead of failing it: the record is missing, exists already,
 * or is not at the expected version (a failed condition).
 */
export type StoreAnswer = "recordNotFound" | "recordExists" | "conditionFailed";

/** What an adapter makes of whatever its client threw: how core is to take it, and the redacted cause. */
export interface ClassifiedFailure {
  /** A failure to report, or the answer the failure gives. */
  readonly kind: StoreFailureKind | StoreAnswer;
  /** The failure stripped of anything that could carry a secret, fit to be an `EphError`'s `cause`. */
  readonly cause: StoreRequestError;
}

/** True for the failures that answer a conditional call (see {@link StoreAnswer}). */
export function isAnswer(failure: ClassifiedFailure): failure is ClassifiedFailure & { readonly kind: StoreAnswer } {
  return failure.kind === "recordNotFound" || failure.kind === "recordExists" || failure.kind === "conditionFailed";
}

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

/**
 * The contract's error for a classified failure at `site`: an answer the caller did not expect (a
 * missing record where none can be missing) is `StoreUnavailable`; `signal`'s reason is an abort's cause.
 */
export function failureError(failure: ClassifiedFailure, site: StoreCallSite, signal?: AbortSignal): EphError {
  const { kind, cause } = failure;
  const reported = kind === "aborted" || kind === "storeNotFound" ? kind : "unavailable";
  return storeError(reported, site, cause, signal?.reason);
}
