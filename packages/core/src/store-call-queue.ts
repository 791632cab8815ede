import type { Clock, TimerHandle } from "./clock.js";
import { EphError } from "./errors.js";

/**
 * How urgent a store call is. A host sends the calls that keep what it already holds before the calls
 * that take more: a renewal that misses its deadline costs a partition, an acquisition that waits
 * costs a moment.
 * - `keep`: renewals, lease verifications and final checkpoints (the position of a partition being let go).
 * - `release`: giving leases up and telling the next owner it may read.
 * - `routine`: periodic checkpoint writes, the scan's listing, handoff polling.
 * - `take`: acquisitions and start-up calls (lease creation, checkpoint reads and fence raises).
 */
export type StoreCallPriority = "keep" | "release" | "routine" | "take";

const order: Readonly<Record<StoreCallPriority, number>> = { keep: 0, release: 1, routine: 2, take: 3 };

/** One call handed to {@link StoreCallQueue.run}. */
export interface StoreCallOptions {
  /** How urgent the call is. */
  readonly priority: StoreCallPriority;
  /** What the call does, for the deadline's error message ("Renewing the lease of partition 3"). */
  readonly what: string;
  /**
   * Deadline of the call (ms), counted from when it is SENT, not queued. A function is evaluated at
   * send time (a renewal's budget shrinks while it waits); a value <= 0 fails the call unsent.
   */
  readonly timeout: number | (() => number);
  /** Drops the call while it is queued (rejecting with the signal's reason); once sent, the deadline governs. */
  readonly abortSignal?: AbortSignal;
}

/** Counters of a {@link StoreCallQueue}, for health and benchmarks. */
export interface StoreCallStats {
  /** Calls allowed in flight now (below `maxConcurrentCalls` while the store answers slowly). */
  readonly allowed: number;
  /** Calls sent and not yet settled. */
  readonly inFlight: number;
  /** Calls waiting to be sent. */
  readonly queued: number;
  /** Calls sent since creation. */
  readonly sent: number;
  /** Calls that reached their deadline, by priority. */
  readonly deadlinesMissed: Readonly<Record<StoreCallPriority, number>>;
  /** Longest time a call waited before being sent (ms), by priority. */
  readonly longestWait: Readonly<Record<StoreCallPriority, number>>;
}

/** Options of {@link StoreCallQueue}. */
export interface StoreCallQueueOptions {
  /** Clock of the deadlines; inject a `ManualClock` to run in virtual time. */
  readonly clock: Clock;
  /** Most calls in flight at once (an integer >= 1). */
  readonly maxConcurrentCalls: number;
}

interface Pending {
  readonly options: StoreCallOptions;
  readonly rank: number;
  readonly queuedAt: number;
  readonly start: () => void;
  readonly fail: (error: unknown) => void;
  readonly onAbort: () => void;
}

/**
 * The store calls of one host, sent in order of priority with a bounded number in flight. Without it a
 * host that starts (or closes) with hundreds of partitions sends every acquisition, fence, checkpoint
 * read and renewal at once; the store's latency grows with the burst and renewals, queued behind the
 * acquisitions at the store, miss their deadline and lose the partitions just taken.
 *
 * Two rules make a renewal safe from any burst of lower-priority calls: it goes to the head of the
 * queue, and a quarter of the slots (at least one) are kept for `keep` and `release` calls, so it never
 * waits for a slot held by an acquisition. FIFO within a priority.
 *
 * The bound is per host, but a store is shared by the fleet: four hosts at 32 calls each can still
 * bury it. So the bound adapts to what the store answers (additive increase, multiplicative decrease,
 * as TCP does): an answer slower than half its deadline halves the calls allowed in flight (at most
 * once per such answer's latency, so one slow burst counts once); each answer faster than a quarter
 * of its deadline lets the bound grow back by a fraction of a call, up to `maxConcurrentCalls`.
 */
export class StoreCallQueue {
  private readonly clock: Clock;
  private readonly limit: number;
  /** The calls allowed in flight now: `limit`, less while the store answers slowly. */
  private window: number;
  private lastCutAt = Number.NEGATIVE_INFINITY;
  private readonly waiting: Pending[][] = [[], [], [], []];
  private active = 0;
  private activeUrgent = 0;
  private sentCount = 0;
  private closedWith: unknown;
  private readonly inFlightAborts = new Set<AbortController>();
  private readonly missed: Record<StoreCallPriority, number> = { keep: 0, release: 0, routine: 0, take: 0 };
  private readonly waited: Record<StoreCallPriority, number> = { keep: 0, release: 0, routine: 0, take: 0 };

  /** Throws `InvalidOption` when `maxConcurrentCalls` is not an integer >= 1. */
  constructor(options: StoreCallQueueOptions) {
    const limit = options.maxConcurrentCalls;
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new EphError("InvalidOption", `Option "maxConcurrentCalls" must be an integer >= 1; got ${String(limit)}.`);
    }
    this.clock = options.clock;
    this.limit = limit;
    this.window = limit;
  }

  /** Slots of the current bound that lower-priority calls may not take, so urgent ones always find one. */
  private get bound(): { readonly total: number; readonly reserved: number } {
    const total = Math.max(1, Math.floor(this.window));
    return { total, reserved: total === 1 ? 0 : Math.max(1, Math.floor(total / 4)) };
  }

  /** The bound on calls in flight. */
  get maxConcurrentCalls(): number {
    return this.limit;
  }

  /** A snapshot of the counters. */
  stats(): StoreCallStats {
    return {
      allowed: this.bound.total,
      inFlight: this.active,
      queued: this.waiting.reduce((n, q) => n + q.length, 0),
      sent: this.sentCount,
      deadlinesMissed: { ...this.missed },
      longestWait: { ...this.waited },
    };
  }

  /**
   * Queues `operation`, sends it when its turn comes and a slot is free, and settles with its result.
   * The signal handed to it fires at the deadline; the promise rejects with `StoreUnavailable` then even
   * if the operation ignores its signal (a hung store must not hold a renewal past its budget).
   */
  run<T>(options: StoreCallOptions, operation: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.closedWith !== undefined) return Promise.reject(this.closedWith);
    const signal = options.abortSignal;
    if (signal?.aborted) return Promise.reject(abortReason(signal, options.what));
    return new Promise<T>((resolve, reject) => {
      const pending: Pending = {
        options,
        rank: order[options.priority],
        queuedAt: this.clock.now(),
        start: () => this.send(pending, operation, resolve, reject),
        fail: reject,
        onAbort: () => {
          const queue = this.waiting[pending.rank] as Pending[];
          const i = queue.indexOf(pending);
          if (i < 0) return;
          queue.splice(i, 1);
          reject(abortReason(signal as AbortSignal, options.what));
        },
      };
      signal?.addEventListener("abort", pending.onAbort, { once: true });
      (this.waiting[pending.rank] as Pending[]).push(pending);
      this.pump();
    });
  }

  /**
   * Fails every queued call with `reason` and aborts every call in flight; later calls fail at once.
   * For a host whose close ran out of time: what is left must settle now, not after the process is gone.
   */
  close(reason: unknown): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = reason;
    for (const queue of this.waiting) {
      for (const pending of queue.splice(0)) {
        pending.options.abortSignal?.removeEventListener("abort", pending.onAbort);
        pending.fail(reason);
      }
    }
    for (const controller of [...this.inFlightAborts]) controller.abort(reason);
  }

  private pump(): void {
    for (;;) {
      const pending = this.next();
      if (!pending) return;
      pending.options.abortSignal?.removeEventListener("abort", pending.onAbort);
      pending.start();
    }
  }

  /** Takes the next call that may be sent now, or none. */
  private next(): Pending | undefined {
    const { total, reserved } = this.bound;
    if (this.active >= total) return undefined;
    for (let rank = 0; rank < this.waiting.length; rank++) {
      const queue = this.waiting[rank] as Pending[];
      if (queue.length === 0) continue;
      const urgent = rank <= order.release;
      // Lower-priority calls leave the reserved slots free (urgent calls count against them first).
      if (!urgent && this.active - this.activeUrgent >= total - reserved) return undefined;
      return queue.shift();
    }
    return undefined;
  }

  private send<T>(
    pending: Pending,
    operation: (abortSignal: AbortSignal) => Promise<T>,
    resolve: (value: T) => void,
    reject: (error: unknown) => void,
  ): void {
    const { priority, what, timeout } = pending.options;
    const sentAt = this.clock.now();
    this.waited[priority] = Math.max(this.waited[priority], sentAt - pending.queuedAt);
    const ms = typeof timeout === "function" ? timeout() : timeout;
    if (!(ms > 0)) {
      this.missed[priority]++;
      reject(new EphError("StoreUnavailable", `${what} ran out of time before it could be sent.`));
      return;
    }
    const urgent = pending.rank <= order.release;
    this.active++;
    if (urgent) this.activeUrgent++;
    this.sentCount++;
    const controller = new AbortController();
    this.inFlightAborts.add(controller);
    let settled = false;
    let timer: TimerHandle | undefined;
    const finish = () => {
      if (settled) return false;
      settled = true;
      this.adapt(this.clock.now() - sentAt, ms);
      if (timer !== undefined) this.clock.clearTimeout(timer);
      this.inFlightAborts.delete(controller);
      this.active--;
      if (urgent) this.activeUrgent--;
      // A settled call frees its slot for the next one; pumping from a later microtask keeps a long
      // chain of synchronous settlements from nesting.
      queueMicrotask(() => this.pump());
      return true;
    };
    timer = this.clock.setTimeout(() => {
      if (!finish()) return;
      this.missed[priority]++;
      const error = new EphError("StoreUnavailable", `${what} did not complete within ${ms} ms.`);
      controller.abort(error);
      reject(error);
    }, ms);
    controller.signal.addEventListener(
      "abort",
      () => {
        // Closed while in flight: settle now with the close's reason.
        if (finish()) reject(controller.signal.reason);
      },
      { once: true },
    );
    let call: Promise<T>;
    try {
      call = operation(controller.signal);
    } catch (error) {
      call = Promise.reject(error);
    }
    call.then(
      (value) => {
        if (finish()) resolve(value);
      },
      (error: unknown) => {
        if (finish()) reject(error);
      },
    );
  }

  private adapt(latency: number, deadline: number): void {
    const now = this.clock.now();
    if (latency > deadline / 2) {
      if (now - this.lastCutAt < latency) return;
      this.lastCutAt = now;
      this.window = Math.max(1, this.window / 2);
    } else if (latency < deadline / 4) {
      this.window = Math.min(this.limit, this.window + 1 / this.window);
    }
  }
}

function abortReason(signal: AbortSignal, what: string): unknown {
  return signal.reason ?? new EphError("Aborted", `${what} was cancelled before it was sent.`);
}
