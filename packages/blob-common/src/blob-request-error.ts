import { type EphError, redactSecrets, StoreRequestError, storeError } from "@eph/core";

/**
 * What went wrong in one storage request, stripped of everything that could carry a secret: the `cause`
 * of the errors the blob adapters raise, in place of the SDK's `RestError` (whose `request` holds the
 * URL and headers, and a SAS-authenticated URL holds the token). `statusCode` is the HTTP status when
 * there was a response, `code` the service's error code (`ContainerNotFound`, `ServerBusy`) or a
 * transport code (`ECONNRESET`).
 */
export class BlobRequestError extends StoreRequestError {}

/** How a failed storage request is to be understood by the adapters. */
export type FailureKind =
  | "aborted"
  | "containerNotFound"
  | "blobNotFound"
  | "blobExists"
  | "conditionFailed"
  | "transient"
  | "rejected";

/** A classified, redacted request failure. */
export interface StoreFailure {
  /** How the failure is to be understood. */
  readonly kind: FailureKind;
  /** The redacted error, fit to be an `EphError`'s `cause`. */
  readonly error: BlobRequestError;
}

// Throttling (429, 503 ServerBusy), server-side timeouts (408, 500 OperationTimedOut, 504) and gateway
// errors are worth retrying; the caller's deadline decides how long.
const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504]);

// A container that is being deleted cannot be recreated for a while (real Azure: up to ~30 s).
const TRANSIENT_CODES = new Set(["ContainerBeingDeleted", "OperationTimedOut", "ServerBusy", "InternalError"]);

/** Classifies whatever an SDK call threw. `signal` tells a caller's abort from a transport failure. */
export function classifyFailure(thrown: unknown, signal?: AbortSignal): StoreFailure {
  const record = (typeof thrown === "object" && thrown !== null ? thrown : {}) as Record<string, unknown>;
  const name = typeof record.name === "string" ? record.name : "";
  const statusCode = typeof record.statusCode === "number" ? record.statusCode : undefined;
  const code = serviceCode(record);
  const error = new BlobRequestError(redactSecrets(serviceMessage(record, statusCode, code)), code, statusCode);
  if (name === "AbortError" || signal?.aborted) return { kind: "aborted", error };
  if (statusCode === undefined) return { kind: name === "RestError" ? "transient" : "rejected", error };
  if (statusCode === 404) return { kind: code === "ContainerNotFound" ? "containerNotFound" : "blobNotFound", error };
  if (statusCode === 409 && code === "BlobAlreadyExists") return { kind: "blobExists", error };
  // Any failed condition (ConditionNotMet, or a native blob lease someone else put on the record) means
  // the record is not the one the caller wrote or saw last.
  if (statusCode === 412) return { kind: "conditionFailed", error };
  if (TRANSIENT_STATUS.has(statusCode) || (code !== undefined && TRANSIENT_CODES.has(code))) {
    return { kind: "transient", error };
  }
  return { kind: "rejected", error };
}

/**
 * Turns a failure the caller has no specific answer for into the contract's error: `Aborted`,
 * `StoreNotFound` or `StoreUnavailable`, naming the operation and the container.
 */
export function toEphError(
  failure: StoreFailure,
  operation: string,
  containerName: string,
  partitionId?: string,
  signal?: AbortSignal,
): EphError {
  const kind =
    failure.kind === "aborted" ? "aborted" : failure.kind === "containerNotFound" ? "storeNotFound" : "unavailable";
  return storeError(
    kind,
    { operation, store: `container "${containerName}"`, partitionId },
    failure.error,
    signal?.reason,
  );
}

function serviceCode(record: Record<string, unknown>): string | undefined {
  if (typeof record.code === "string" && record.code !== "") return record.code;
  const details = record.details as Record<string, unknown> | undefined;
  if (typeof details?.errorCode === "string" && details.errorCode !== "") return details.errorCode;
  return undefined;
}

function serviceMessage(record: Record<string, unknown>, statusCode: number | undefined, code: string | undefined) {
  const text = typeof record.message === "string" ? record.message : "";
  // The service appends RequestId and Time lines; keep the sentence only. HEAD responses have no body.
  const firstLine = text.split("\n")[0] ?? "";
  const parts = [statusCode === undefined ? "" : `HTTP ${statusCode}`, code ?? ""].filter((p) => p !== "");
  const head = parts.join(" ");
  if (firstLine === "") return head === "" ? "unknown error" : head;
  return head === "" ? firstLine : `${head}: ${firstLine}`;
}
