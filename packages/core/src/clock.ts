/** A handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/**
 * Time as an input. `now()` is monotonic milliseconds (never wall-clock time: expiry decisions must not
 * move when an operator fixes the system clock). Tests pass the `ManualClock` of
 * `@eph/core/testing` and run in virtual time.
 */
export interface Clock {
  /** Monotonic milliseconds since an arbitrary origin. */
  now(): number;
  /** Calls `callback` after `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancels a pending timer. */
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: `performance.now()` and Node timers. Timers do not keep the process alive. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout(callback, ms) {
    const t = setTimeout(callback, Math.max(0, ms));
    t.unref?.();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

/** Waits `ms` on `clock`, rejecting early (with the signal's reason) if `abortSignal` fires. */
export function delay(clock: Clock, ms: number, abortSignal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (abortSignal?.aborted) {
      reject(abortSignal.reason);
      return;
    }
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(abortSignal?.reason);
    };
    const handle = clock.setTimeout(() => {
      abortSignal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    abortSignal?.addEventListener("abort", onAbort, { once: true });
  });
}
