import type { Clock, TimerHandle } from "@eph/core";
import type { ManualClock } from "@eph/core/testing";

/** What a simulated process is doing. */
export type ProcessState = "up" | "paused" | "crashed";

/**
 * One simulated process's view of the shared virtual clock: its own offset and rate (clock skew and
 * drift), and a process state. A paused process (SIGSTOP) runs none of its timers until resumed, then
 * all that came due at once; a crashed process runs none ever again.
 */
export class HostClock implements Clock {
  state: ProcessState = "up";
  private deferred: Array<() => void> = [];
  private readonly handles = new Map<number, TimerHandle>();
  private nextId = 1;

  /** `offset` ms are added to `now()`; `rate` scales how fast this process's time runs (1 = exact). */
  constructor(
    private readonly world: ManualClock,
    private readonly offset: number,
    private readonly rate: number,
  ) {}

  now(): number {
    return this.offset + this.world.now() * this.rate;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    const handle = this.world.setTimeout(() => {
      this.handles.delete(id);
      this.run(callback);
    }, Math.max(0, ms) / this.rate);
    this.handles.set(id, handle);
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    const inner = this.handles.get(handle as number);
    if (inner !== undefined) this.world.clearTimeout(inner);
    this.handles.delete(handle as number);
  }

  /**
   * Runs `callback` after `ms` of world time whatever this process does meanwhile: a request already on
   * the network reaches the store even if its sender is stopped or killed.
   */
  network(callback: () => void, ms: number): void {
    this.world.setTimeout(callback, Math.max(0, ms));
  }

  /** Runs `callback` as this process: deferred while paused, dropped once crashed. */
  run(callback: () => void): void {
    if (this.state === "crashed") return;
    if (this.state === "paused") this.deferred.push(callback);
    else callback();
  }

  /** SIGSTOP. */
  pause(): void {
    if (this.state === "up") this.state = "paused";
  }

  /** SIGCONT: everything that came due while stopped runs now, in order. */
  resume(): void {
    if (this.state !== "paused") return;
    this.state = "up";
    const due = this.deferred;
    this.deferred = [];
    for (const cb of due) cb();
  }

  /** SIGKILL. */
  crash(): void {
    this.state = "crashed";
    this.deferred = [];
    for (const h of this.handles.values()) this.world.clearTimeout(h);
    this.handles.clear();
  }
}
