/**
 * Every error code eph raises. Codes are stable and part of the public contract: match on `code`,
 * never on the message.
 */
export type EphErrorCode =
  /** An option or argument is invalid; the message names it. */
  | "InvalidOption"
  /** A conditional write lost: another host changed or owns the lease (Go's `false` result). */
  | "LeaseLost"
  /** No lease record exists for the partition. */
  | "LeaseNotFound"
  /** The container, table or in-memory store does not exist. */
  | "StoreNotFound"
  /** A checkpoint write carried an epoch older than the partition's fence: its writer was deposed. */
  | "CheckpointFenced"
  /** A checkpoint write would move the position backwards. */
  | "CheckpointRegressed"
  /** A stored record cannot be parsed or lacks required fields; the message names the record. */
  | "CorruptRecord"
  /** A partition id that the store or host does not know. */
  | "UnknownPartition"
  /** A store was used before `setEventProcessorHost` told it the host, hub and consumer group. */
  | "NotConfigured"
  /** The object was closed. */
  | "Closed"
  /** The operation was cancelled through its abort signal. */
  | "Aborted"
  /** A handler was still running past the host's `handlerTimeout`. */
  | "HandlerTimeout"
  /** A stored position is outside the partition's retained range (events expired, or the hub was reset). */
  | "InvalidPosition"
  /** The store could not be reached or answered with a transient failure; retrying may succeed. */
  | "StoreUnavailable"
  /** A connection string or credential is malformed; its secret parts are never included. */
  | "InvalidConnectionString"
  /** The event hub does not exist in the namespace (the lease and checkpoint stores say `StoreNotFound`). */
  | "HubNotFound"
  /**
   * Event Hubs could not be reached (connection refused, name not resolved, timed out) or answered with
   * a transient failure; the message names the endpoint. Retrying may succeed. The lease and checkpoint
   * stores say `StoreUnavailable`.
   */
  | "HubUnavailable"
  /**
   * Another live process uses this host name (its liveness record carries another instance id): two
   * processes must never share a host name, or they would share leases. Give each process its own.
   */
  | "DuplicateHost";

/** Options for {@link EphError}. */
export interface EphErrorOptions {
  /** The error that caused this one. Never attach an error whose message may contain a secret. */
  cause?: unknown;
  /** The partition the error concerns, when there is one. */
  partitionId?: string;
}

// A process can hold two copies of this module: the ESM and the CommonJS build (one part of a program
// imports @eph/core, another requires it), or two versions in node_modules. Each copy has its own
// EphError class, so an error is recognised by a brand from the global symbol registry, which all copies
// share, never by class identity alone.
const brand: unique symbol = Symbol.for("@eph/core.EphError");

/** The one error type of eph. `code` tells what went wrong; `partitionId` which partition, if any. */
export class EphError extends Error {
  /** Stable machine-readable code. */
  readonly code: EphErrorCode;
  /** The partition concerned, if any. */
  readonly partitionId: string | undefined;
  /** Marks errors made by any copy of @eph/core (see {@link isEphError}). */
  declare readonly [brand]: true;

  /** Creates an error with a stable `code` and a message naming the offending value. */
  constructor(code: EphErrorCode, message: string, options: EphErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "EphError";
    this.code = code;
    this.partitionId = options.partitionId;
    Object.defineProperty(this, brand, { value: true });
  }

  /**
   * `error instanceof EphError` is true for an error made by any copy of @eph/core (its ESM and its
   * CommonJS build, or another version), so a handler written against one copy still recognises it.
   * A subclass keeps the ordinary prototype check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class right of `instanceof`, maybe a subclass.
    if (this !== EphError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === "object" && value !== null && (value as { [brand]?: unknown })[brand] === true;
  }
}

/**
 * True when `error` is an {@link EphError} made by any copy of @eph/core, optionally with the given code.
 * Prefer it (or the `code`) to `instanceof` when errors may cross package boundaries.
 */
export function isEphError(error: unknown, code?: EphErrorCode): error is EphError {
  return error instanceof EphError && (code === undefined || error.code === code);
}

/** Throws an `Aborted` error when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new EphError("Aborted", "The operation was aborted.", { cause: signal.reason });
}
