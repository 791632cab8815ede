/** A handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/**
 * Time as an input. `now()` is monotonic milliseconds (never wall-clock time: expiry decisions must not
 * move when an operator fixes the system clock). Tests pass a {@link ManualClock} and run in virtual time.
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

interface PendingTimer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/**
 * A virtual clock for tests and simulation: time moves only when `advance` or `runUntil` is called, and
 * timers fire in due order (ties in creation order), so a run replays exactly.
 */
export class ManualClock implements Clock {
  private time: number;
  private nextId = 1;
  private timers: PendingTimer[] = [];

  /** Starts the clock at `start` milliseconds. */
  constructor(start = 0) {
    this.time = start;
  }

  /** Current virtual time. */
  now(): number {
    return this.time;
  }

  /** Schedules `callback` at now + ms. */
  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, at: this.time + Math.max(0, ms), callback };
    this.timers.push(timer);
    return timer.id;
  }

  /** Cancels a timer. */
  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Number of timers not yet fired. */
  pendingTimers(): number {
    return this.timers.length;
  }

  /** Time of the earliest pending timer, or `undefined`. */
  nextTimerAt(): number | undefined {
    let min: number | undefined;
    for (const t of this.timers) if (min === undefined || t.at < min) min = t.at;
    return min;
  }

  /**
   * Moves time forward by `ms`, firing due timers in order. After each timer, pending promise callbacks
   * run (`settle`), so async work started by a timer progresses before the next one fires.
   */
  async advance(ms: number): Promise<void> {
    await this.runUntil(this.time + ms);
  }

  /** Moves time to `target`, firing every timer due by then. */
  async runUntil(target: number): Promise<void> {
    await settle();
    for (;;) {
      const next = this.popDue(target);
      if (!next) break;
      this.time = Math.max(this.time, next.at);
      next.callback();
      await settle();
    }
    this.time = Math.max(this.time, target);
    await settle();
  }

  private popDue(target: number): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const t of this.timers) {
      if (t.at <= target && (!best || t.at < best.at || (t.at === best.at && t.id < best.id))) best = t;
    }
    if (best) this.timers = this.timers.filter((t) => t !== best);
    return best;
  }
}

/** Lets every queued promise callback run (several macrotask-free turns of the microtask queue). */
export async function settle(turns = 50): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
}

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
