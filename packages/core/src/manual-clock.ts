import type { Clock, TimerHandle } from "./clock.js";

interface PendingTimer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

function earlier(a: PendingTimer, b: PendingTimer): boolean {
  return a.at < b.at || (a.at === b.at && a.id < b.id);
}

/**
 * A virtual clock for tests and simulation: time moves only when `advance` or `runUntil` is called, and
 * timers fire in due order (ties in creation order), so a run replays exactly. Timers sit in a binary
 * heap; cancelled ones are skipped when they reach the top.
 */
export class ManualClock implements Clock {
  private time: number;
  private nextId = 1;
  private heap: PendingTimer[] = [];
  private readonly live = new Set<number>();

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
    this.live.add(timer.id);
    this.push(timer);
    return timer.id;
  }

  /** Cancels a timer. */
  clearTimeout(handle: TimerHandle): void {
    this.live.delete(handle as number);
  }

  /** Number of timers not yet fired. */
  pendingTimers(): number {
    return this.live.size;
  }

  /** Time of the earliest pending timer, or `undefined`. */
  nextTimerAt(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.at;
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
      this.dropCancelled();
      const next = this.heap[0];
      if (!next || next.at > target) break;
      this.pop();
      this.live.delete(next.id);
      this.time = Math.max(this.time, next.at);
      next.callback();
      await settle();
    }
    this.time = Math.max(this.time, target);
    await settle();
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && !this.live.has((this.heap[0] as PendingTimer).id)) this.pop();
  }

  private push(timer: PendingTimer): void {
    const h = this.heap;
    h.push(timer);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(h[i] as PendingTimer, h[parent] as PendingTimer)) break;
      [h[i], h[parent]] = [h[parent] as PendingTimer, h[i] as PendingTimer];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (h.length === 0 || !last) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && earlier(h[l] as PendingTimer, h[m] as PendingTimer)) m = l;
      if (r < h.length && earlier(h[r] as PendingTimer, h[m] as PendingTimer)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m] as PendingTimer, h[i] as PendingTimer];
      i = m;
    }
  }
}

/**
 * Lets every queued promise callback run: resolves on the next macrotask turn, which Node starts only
 * once the microtask queue is empty, however long the promise chains queued before it are.
 */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
