import { EphError, throwIfAborted } from "@eph/core";

/**
 * The atomic operations of a memory store, one per call of an interceptor: those of the record contract,
 * with `insert` for its `create`.
 */
export type MemoryStoreOperation =
  | "storeExists"
  | "ensureStore"
  | "deleteStore"
  | "list"
  | "read"
  | "insert"
  | "replace"
  | "replaceMany"
  | "delete";

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
 * Runs one atomic store operation: `apply()` performs it, synchronously and atomically, and returns its
 * result. An interceptor decides when that happens (after a delay on a virtual clock), whether it
 * happens (throw instead: the operation fails without effect) and whether the caller learns of it
 * (apply, then throw: a write whose response was lost). A non-`EphError` thrown here reaches the caller
 * as `StoreUnavailable` with the thrown value as `cause`.
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

/**
 * Runs one atomic operation through `interceptor`, checking the abort signal when it takes effect.
 * `EphError`s pass through; anything else an interceptor throws becomes `StoreUnavailable` naming
 * `storeName` and the operation (or `Aborted` when the caller's signal fired meanwhile).
 */
export async function runStoreCall<T>(
  interceptor: MemoryStoreInterceptor,
  call: MemoryStoreCall,
  signal: AbortSignal | undefined,
  storeName: string,
  apply: () => T,
): Promise<T> {
  try {
    return await interceptor(call, () => {
      throwIfAborted(signal);
      return apply();
    });
  } catch (error) {
    if (error instanceof EphError) throw error;
    throwIfAborted(signal);
    throw new EphError("StoreUnavailable", `The ${storeName} failed a ${call.operation} operation.`, {
      cause: error,
      ...(call.partitionId === undefined ? {} : { partitionId: call.partitionId }),
    });
  }
}
