import { type ClassifiedFailure, classifyHttpFailure, StoreRequestError } from "@eph/core";

/**
 * What went wrong in one table request, stripped of everything that could carry a secret: the `cause`
 * of the errors the table adapters raise, in place of the SDK's `RestError` (whose `request` holds the
 * URL, and a SAS-authenticated URL holds the token). `statusCode` is the HTTP status when there was a
 * response, `code` the service's error code (`TableNotFound`, `ServerBusy`) or a transport code (`ECONNRESET`).
 */
export class TableRequestError extends StoreRequestError {}

const codes = { storeNotFound: "TableNotFound", recordExists: "EntityAlreadyExists" };

/** Classifies whatever an SDK call threw (see core's `classifyHttpFailure`) under the table service's codes. */
export function classifyFailure(thrown: unknown, signal?: AbortSignal): ClassifiedFailure {
  return classifyHttpFailure(thrown, signal, codes, (...parts) => new TableRequestError(...parts), odataBody);
}

// The service (and Cosmos DB's Table API) can answer with a JSON body whose code and sentence the SDK
// leaves in the message.
function odataBody(message: string): { code?: string; message?: string } | undefined {
  if (!message.startsWith("{")) return undefined;
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
