import type { Clock, TimerHandle } from "@eph/core";
import type { ManualClock } from "@eph/core/testing";
/** What a simulated process is doing. */
export type ProcessState = "up" | "paused" | "crashed";
/**
 * One simulated process's view of the shared virtual clock: its own offset and rate (clock skew and
 * drift), and a process state. A paused process (SIGSTOP) runs none of its timers until resumed, then
 * all that came due at once; a crashed process runs none ever again.
 */
export declare class HostClock implements Clock {
    private readonly world;
    private readonly offset;
    private readonly rate;
    state: ProcessState;
    private deferred;
    private readonly handles;
    private nextId;
    /** `offset` ms are added to `now()`; `rate` scales how fast this process's time runs (1 = exact). */
    constructor(world: ManualClock, offset: number, rate: number);
    now(): number;
    setTimeout(callback: () => void, ms: number): TimerHandle;
    clearTimeout(handle: TimerHandle): void;
    /**
     * Runs `callback` after `ms` of world time whatever this process does meanwhile: a request already on
     * the network reaches the store even if its sender is stopped or killed.
     */
    network(callback: () => void, ms: number): void;
    /** Runs `callback` as this process: deferred while paused, dropped once crashed. */
    run(callback: () => void): void;
    /** SIGSTOP. */
    pause(): void;
    /** SIGCONT: everything that came due while stopped runs now, in order. */
    resume(): void;
    /** SIGKILL. */
    crash(): void;
}
