import { redactSecrets } from "./redact.js";
import type { ClassifiedFailure, StoreRequestError } from "./store-error.js";

/** The error codes by which a store spoken to over HTTP (Azure Blob, Azure Table) tells its cases apart. */
export interface HttpStoreCodes {
  /** The 404 code of a missing container or table (`ContainerNotFound`); any other 404 is a missing record. */
  readonly storeNotFound: string;
  /** The 409 code of a record that exists already (`BlobAlreadyExists`). */
  readonly recordExists: string;
}

/** The service's code and sentence, where a client puts them in a body of its own (Table's `odata.error`). */
export type ServiceBody = (
  message: string,
) => { readonly code?: string | undefined; readonly message?: string | undefined } | undefined;

/**
 * Classifies what an HTTP store's SDK threw (an Azure `RestError`, or anything else), once for every such
 * store: an `AbortError` or a fired `signal` is `aborted`; 404 with `codes.storeNotFound` is
 * `storeNotFound`, any other 404 `recordNotFound`; 409 with `codes.recordExists` is `recordExists`; any
 * 412 (a failed `If-Match`, or a native blob lease someone put on the record: either way the record is not
 * the one the caller saw) is `conditionFailed`; everything else, throttling and refused credentials
 * alike, is `unavailable` (the caller's retry policy decides). The cause keeps status, service code and
 * the first line of the message (the service appends RequestId and Time lines), redacted, made by `make`.
 */
export function classifyHttpFailure(
  thrown: unknown,
  signal: AbortSignal | undefined,
  codes: HttpStoreCodes,
  make: (message: string, code: string | undefined, statusCode: number | undefined) => StoreRequestError,
  body?: ServiceBody,
): ClassifiedFailure {
  const record = (typeof thrown === "object" && thrown !== null ? thrown : {}) as Record<string, unknown>;
  const statusCode = typeof record.statusCode === "number" ? record.statusCode : undefined;
  const text = typeof record.message === "string" ? record.message : "";
  const parsed = body?.(text);
  const code =
    nonEmpty(record.code) ?? nonEmpty((record.details as Record<string, unknown>)?.errorCode) ?? parsed?.code;
  const sentence = (parsed?.message ?? text).split("\n")[0] ?? "";
  const head = [statusCode === undefined ? "" : `HTTP ${statusCode}`, code ?? ""].filter((p) => p !== "").join(" ");
  const message = sentence === "" ? head || "unknown error" : head === "" ? sentence : `${head}: ${sentence}`;
  const cause = make(redactSecrets(message), code, statusCode);
  if (record.name === "AbortError" || signal?.aborted) return { kind: "aborted", cause };
  if (statusCode === 404) return { kind: code === codes.storeNotFound ? "storeNotFound" : "recordNotFound", cause };
  if (statusCode === 409 && code === codes.recordExists) return { kind: "recordExists", cause };
  if (statusCode === 412) return { kind: "conditionFailed", cause };
  return { kind: "unavailable", cause };
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
