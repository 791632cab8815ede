import { EphError } from "@eph/core";

interface Waiter {
  readonly count: number;
  readonly resolve: () => void;
}

/**
 * The host-wide cap `maxInFlightEvents`: events received from the client and not yet handled by every
 * handler. A partition asks for its delivery's events before handling them and, while the cap is
 * reached, waits; the client meanwhile does not ask for more (it fetches the next batch only once the
 * last one was taken), so its receivers stop replenishing credit beyond their prefetch and memory stays
 * bounded. Waiters are served in order. Whenever one has to wait, `onPressure` is called: batches held
 * for their `minBatchSize` are then delivered as they are, because the events they wait for may be the
 * very ones the cap holds back (a batch never waits on the cap, so the cap never deadlocks).
 */
export class InFlightEvents {
  private held = 0;
  private readonly waiters: Waiter[] = [];

  constructor(
    /** The cap. */
    readonly limit: number,
    private readonly onPressure: () => void,
  ) {}

  /** Events received and not yet handled. */
  get count(): number {
    return this.held;
  }

  /**
   * Resolves once `count` more events fit under the cap (or nothing is in flight: a delivery larger
   * than the cap alone still goes through, else it never could). Rejects when `signal` fires first.
   */
  acquire(count: number, signal: AbortSignal): Promise<void> {
    if (this.waiters.length === 0 && this.fits(count)) {
      this.held += count;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        count,
        resolve: () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new EphError("Aborted", "The partition stopped while waiting under maxInFlightEvents."));
        // The waiter gone may have been the one holding others back.
        this.serve();
      };
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
      this.onPressure();
    });
  }

  /** `count` events were handled (or dropped, when their partition stopped). */
  release(count: number): void {
    if (count <= 0) return;
    this.held = Math.max(0, this.held - count);
    this.serve();
  }

  private fits(count: number): boolean {
    return this.held === 0 || this.held + count <= this.limit;
  }

  private serve(): void {
    while (this.waiters.length > 0 && this.fits((this.waiters[0] as Waiter).count)) {
      const waiter = this.waiters.shift() as Waiter;
      this.held += waiter.count;
      waiter.resolve();
    }
  }
}
