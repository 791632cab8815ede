import { MemoryRecordStore } from "@eph/memory-common";

/** How many lease records a {@link MemoryLeaseStore} holds unless told otherwise. */
export const DefaultMaxLeaseRecords = 100_000;

/** Options of {@link MemoryLeaseStore}. */
export interface MemoryLeaseStoreOptions {
  /**
   * Most records the store holds, across every hub and consumer group (default
   * {@link DefaultMaxLeaseRecords}). Creating one more rejects with `InvalidOption` naming this limit.
   */
  maxRecords?: number;
}

/**
 * The shared state behind {@link MemoryLeaser}s: what a blob container is to blob leasers. Hosts that
 * share one store object compete for the same leases. Like a real container it does not exist until a
 * leaser's `ensureStore()` creates it.
 */
export class MemoryLeaseStore extends MemoryRecordStore {
  /** Creates an empty store (not yet existing: call `ensureStore()` on a leaser). */
  constructor(options: MemoryLeaseStoreOptions = {}) {
    super(options.maxRecords ?? DefaultMaxLeaseRecords, "in-memory lease store", "lease");
  }
}
