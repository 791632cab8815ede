import { MemoryRecordStore } from "@eph/memory-common";

/** How many lease records a {@link MemoryLeaseStore} holds unless told otherwise. */
export const DefaultMaxLeaseRecords = 100_000;

/** Options of {@link MemoryLeaseStore}. */
export interface MemoryLeaseStoreOptions {
  /** Most records, across every hub (default {@link DefaultMaxLeaseRecords}); one more is `InvalidOption`. */
  maxRecords?: number;
}

/**
 * The shared state behind {@link MemoryLeaser}s: what a blob container is to blob leasers. Hosts that
 * share one store object compete for the same leases. It exists once a leaser's `ensureStore()` made it.
 */
export class MemoryLeaseStore extends MemoryRecordStore {
  /** Creates an empty store (not yet existing: call `ensureStore()` on a leaser). */
  constructor(options: MemoryLeaseStoreOptions = {}) {
    super(options.maxRecords ?? DefaultMaxLeaseRecords, "in-memory lease store", "lease");
  }
}
