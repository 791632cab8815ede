import { type EphError, throwIfAborted } from "./errors.js";
import type { Logger } from "./logger.js";
import type { OperationOptions } from "./operation-options.js";

/** What a store adapter makes of a failed request: an answer to return, or the error to throw. */
export type StoreCallOutcome<A> = { readonly answer: A } | EphError;

/**
 * Runs one request of a store adapter's client: the one place its failures become core's errors.
 * `Aborted` before it starts when the caller's signal already fired; a failure `translate` takes for
 * an answer (a missing record, an existing one, a failed condition) is returned; any other is thrown
 * as the `EphError` `translate` makes of it, logged as a warning when `StoreUnavailable` (core or the
 * caller retries those, and the log tells why calls are slow).
 */
export async function storeCall<T, A>(
  options: OperationOptions | undefined,
  logger: Logger,
  request: (abortSignal: AbortSignal | undefined) => Promise<T>,
  translate: (thrown: unknown, abortSignal: AbortSignal | undefined) => StoreCallOutcome<A>,
): Promise<T | A> {
  const signal = options?.abortSignal;
  throwIfAborted(signal);
  try {
    return await request(signal);
  } catch (thrown) {
    const outcome = translate(thrown, signal);
    if ("answer" in outcome) return outcome.answer;
    if (outcome.code === "StoreUnavailable") logger.warning(outcome.message);
    throw outcome;
  }
}
