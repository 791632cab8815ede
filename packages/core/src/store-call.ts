import { throwIfAborted } from "./errors.js";
import type { Logger } from "./logger.js";
import type { OperationOptions } from "./operation-options.js";
import { type ClassifiedFailure, failureError, isAnswer, type StoreAnswer, type StoreCallSite } from "./store-error.js";

/**
 * Runs one request of a store adapter's client: the one place its failures become core's errors.
 * `Aborted` before it starts when the caller's signal already fired; a failure `classify` takes for an
 * answer (a missing record, an existing one, a failed condition) is returned, unless `answers` says this
 * call takes no such answer; any other is thrown as the contract's error at `site` (see
 * {@link failureError}), logged as a warning when `StoreUnavailable` (core or the caller retries those,
 * and the log tells why calls are slow).
 */
export async function storeCall<T>(
  options: OperationOptions | undefined,
  logger: Logger,
  site: StoreCallSite,
  request: (abortSignal: AbortSignal | undefined) => Promise<T>,
  classify: (thrown: unknown, abortSignal: AbortSignal | undefined) => ClassifiedFailure,
  answers: (failure: ClassifiedFailure, thrown: unknown) => boolean = isAnswer,
): Promise<T | StoreAnswer> {
  const signal = options?.abortSignal;
  throwIfAborted(signal);
  try {
    return await request(signal);
  } catch (thrown) {
    const failure = classify(thrown, signal);
    if (isAnswer(failure) && answers(failure, thrown)) return failure.kind;
    const error = failureError(failure, site, signal);
    if (error.code === "StoreUnavailable") logger.warning(error.message);
    throw error;
  }
}
