import { type EphError, redactSecrets, StoreRequestError, storeError } from "@eph/core";

/**
 * What went wrong in one table request, stripped of everything that could carry a secret: the `cause`
 * of the errors the table adapters raise, in place of the SDK's `RestError` (whose `request` holds the
 * URL, and a SAS-authenticated URL holds the token). `statusCode` is the HTTP status when there was a
 * response, `code` the service's error code (`TableNotFound`, `ServerBusy`) or a transport code (`ECONNRESET`).
 */
export class TableRequestError extends StoreRequestError {}

/** How a failed table request is to be understood by the adapters. */
export type FailureKind =
  | "aborted"
  | "tableNotFound"
  | "entityNotFound"
  | "entityExists"
  | "conditionFailed"
  | "transient"
  | "rejected";

/** A classified, redacted request failure. */
export interface StoreFailure {
  /** How the failure is to be understood. */
  readonly kind: FailureKind;
  /** The redacted error, fit to be an `EphError`'s `cause`. */
  readonly error: TableRequestError;
}

// Throttling (429, 503 ServerBusy), server-side timeouts (408, 500 OperationTimedOut, 504) and gateway
// errors are worth retrying; the caller's deadline decides how long.
const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** Classifies whatever an SDK call threw. `signal` tells a caller's abort from a transport failure. */
export function classifyFailure(thrown: unknown, signal?: AbortSignal): StoreFailure {
  const record = (typeof thrown === "object" && thrown !== null ? thrown : {}) as Record<string, unknown>;
  const name = typeof record.name === "string" ? record.name : "";
  const statusCode = typeof record.statusCode === "number" ? record.statusCode : undefined;
  const code = serviceCode(record);
  const message = redactSecrets(serviceMessage(record, statusCode, code));
  const error = new TableRequestError(message, code, statusCode);
  if (name === "AbortError" || signal?.aborted) return { kind: "aborted", error };
  if (statusCode === undefined) return { kind: name === "RestError" ? "transient" : "rejected", error };
  if (statusCode === 404) return { kind: code === "TableNotFound" ? "tableNotFound" : "entityNotFound", error };
  if (statusCode === 409 && code === "EntityAlreadyExists") return { kind: "entityExists", error };
  if (statusCode === 409 && code === "TableBeingDeleted") return { kind: "transient", error };
  if (statusCode === 412) return { kind: "conditionFailed", error };
  if (TRANSIENT_STATUS.has(statusCode)) return { kind: "transient", error };
  return { kind: "rejected", error };
}

/**
 * Turns a failure the caller has no specific answer for into the contract's error: `Aborted`,
 * `StoreNotFound` or `StoreUnavailable`, naming the operation and the table.
 */
export function toEphError(
  failure: StoreFailure,
  operation: string,
  tableName: string,
  partitionId?: string,
  signal?: AbortSignal,
): EphError {
  const kind =
    failure.kind === "aborted" ? "aborted" : failure.kind === "tableNotFound" ? "storeNotFound" : "unavailable";
  return storeError(kind, { operation, store: `table "${tableName}"`, partitionId }, failure.error, signal?.reason);
}

function serviceCode(record: Record<string, unknown>): string | undefined {
  if (typeof record.code === "string" && record.code !== "") return record.code;
  const details = record.details as Record<string, unknown> | undefined;
  if (typeof details?.errorCode === "string") return details.errorCode;
  const odata = parseOdataError(record.message);
  return odata?.code;
}

function serviceMessage(record: Record<string, unknown>, statusCode: number | undefined, code: string | undefined) {
  const odata = parseOdataError(record.message);
  const text = odata?.message ?? (typeof record.message === "string" ? record.message : "unknown error");
  // The service appends RequestId and Time lines; keep the sentence only.
  const firstLine = text.split("\n")[0] ?? text;
  const status = statusCode === undefined ? "" : `HTTP ${statusCode} `;
  return `${status}${code ?? ""}${code ? ": " : ""}${firstLine}`.trim();
}

function parseOdataError(message: unknown): { code?: string; message?: string } | undefined {
  if (typeof message !== "string" || !message.startsWith("{")) return undefined;
  try {
    const body = JSON.parse(message) as { "odata.error"?: { code?: unknown; message?: { value?: unknown } } };
    const err = body["odata.error"];
    if (!err) return undefined;
    return {
      code: typeof err.code === "string" ? err.code : undefined,
      message: typeof err.message?.value === "string" ? err.message.value : undefined,
    };
  } catch {
    return undefined;
  }
}
