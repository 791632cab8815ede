import { EphError } from "./errors.js";

/**
 * `work`, or an `Aborted` rejection as soon as `signal` fires, for calls whose client takes no signal
 * or must not be stopped (a batch other callers wait on): the work goes on unless `onAbort` stops it.
 * Without a signal, `work` itself.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, onAbort?: () => void): Promise<T> {
  if (signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      onAbort?.();
      reject(new EphError("Aborted", "The operation was aborted.", { cause: signal.reason }));
    };
    if (signal.aborted) {
      work.catch(() => {});
      return abort();
    }
    signal.addEventListener("abort", abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}
