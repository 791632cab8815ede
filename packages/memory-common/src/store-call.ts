import type { RecordStore } from "@eph/core";

/** The atomic operations of a memory store: those of the record contract, with `insert` for `create`. */
export type MemoryStoreOperation = Exclude<keyof RecordStore, "create" | "close"> | "insert";

/** Describes one atomic operation on a memory store, as an interceptor sees it. */
export interface MemoryStoreCall {
  /** What the operation does. */
  readonly operation: MemoryStoreOperation;
  /** The host whose leaser or checkpointer issues it (`undefined` before `setEventProcessorHost`). */
  readonly hostName: string | undefined;
  /** The partition concerned, for record operations. */
  readonly partitionId?: string;
}

/**
 * Runs one atomic store operation: `apply()` performs it, synchronously, and returns its result. An
 * interceptor decides when that happens (after a delay on a virtual clock), whether it happens (throw
 * instead: the operation fails without effect) and whether the caller learns of it (apply, then throw:
 * a write whose answer was lost). A non-`EphError` thrown reaches the caller as `StoreUnavailable`.
 */
export type MemoryStoreInterceptor = <T>(call: MemoryStoreCall, apply: () => T) => Promise<T>;

/**
 * The default: each operation takes effect on a later microtask. No timers and no randomness, so runs
 * replay exactly, yet concurrent callers really interleave between a read and the write that follows.
 */
export const nextMicrotask: MemoryStoreInterceptor = async (_call, apply) => {
  await Promise.resolve();
  return apply();
};
