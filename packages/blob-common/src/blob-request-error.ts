import { type ClassifiedFailure, classifyHttpFailure, StoreRequestError } from "@eph/core";

/**
 * What went wrong in one storage request, stripped of everything that could carry a secret: the `cause`
 * of the errors the blob adapters raise, in place of the SDK's `RestError` (whose `request` holds the
 * URL and headers, and a SAS-authenticated URL holds the token). `statusCode` is the HTTP status when
 * there was a response, `code` the service's error code (`ContainerNotFound`, `ServerBusy`) or a
 * transport code (`ECONNRESET`).
 */
export class BlobRequestError extends StoreRequestError {}

const codes = { storeNotFound: "ContainerNotFound", recordExists: "BlobAlreadyExists" };

/** Classifies whatever an SDK call threw (see core's `classifyHttpFailure`) under the blob service's codes. */
export function classifyFailure(thrown: unknown, signal?: AbortSignal): ClassifiedFailure {
  return classifyHttpFailure(thrown, signal, codes, (...parts) => new BlobRequestError(...parts));
}
