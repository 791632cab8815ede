import { type MemoryStoreOptions, memoryStoreClass } from "@eph/memory-common";

/** How many lease records a {@link MemoryLeaseStore} holds unless told otherwise. */
export const DefaultMaxLeaseRecords = 100_000;

/** Options of {@link MemoryLeaseStore}: `maxRecords`, default {@link DefaultMaxLeaseRecords}. */
export type MemoryLeaseStoreOptions = MemoryStoreOptions;

/**
 * The shared state behind {@link MemoryLeaser}s: what a blob container is to blob leasers. Hosts that
 * share one store object compete for the same leases. `new MemoryLeaseStore({ maxRecords })` is empty and
 * does not exist yet: a leaser's `ensureStore()` makes it.
 */
export class MemoryLeaseStore extends memoryStoreClass("lease", DefaultMaxLeaseRecords) {}
