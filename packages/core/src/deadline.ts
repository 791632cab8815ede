import type { Clock } from "./clock.js";
import { EphError } from "./errors.js";

/**
 * Runs `operation` with a deadline on `clock`. The signal handed to it fires at the deadline, and the
 * returned promise rejects then even if the operation ignores its signal: a store that hangs must not
 * hold a renewal past the lease's budget.
 */
export function withDeadline<T>(
  clock: Clock,
  ms: number,
  operation: (signal: AbortSignal) => Promise<T>,
  what: string,
): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => {
      const error = new EphError("StoreUnavailable", `${what} did not complete within ${ms} ms.`);
      controller.abort(error);
      reject(error);
    }, ms);
    operation(controller.signal).then(
      (value) => {
        clock.clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clock.clearTimeout(timer);
        reject(error);
      },
    );
  });
}
