import { leaserClass } from "@eph/core";
import { type MemoryAdapterOptions, memoryAdapter, memoryStoreOf } from "@eph/memory-common";
import { MemoryLeaseStore } from "./memory-lease-store.js";

/** Options of {@link MemoryLeaser}: `store`, `interceptor`, `logger` (default: nowhere) and `groupWrites`. */
export interface MemoryLeaserOptions extends MemoryAdapterOptions<MemoryLeaseStore> {
  /** Renew leases issued in the same turn as one atomic batch, as a Table store does (default false). */
  groupWrites?: boolean;
}

const role = {
  name: "MemoryLeaser",
  options: ["groupWrites"],
  newStore: () => new MemoryLeaseStore(),
  configure: (o: MemoryLeaserOptions) => ({ groupWrites: o.groupWrites ?? false }),
};

/**
 * A {@link Leaser} over an in-process {@link MemoryLeaseStore}: core's lease protocol over a record
 * store with the semantics of a real one. One instance per host. `new MemoryLeaser({ store })` shares
 * `store` with other hosts' leasers; without one it uses a private store of its own.
 */
export class MemoryLeaser extends leaserClass(memoryAdapter(role)) {
  /** The store this leaser reads and writes. */
  get store(): MemoryLeaseStore {
    return memoryStoreOf(this.records);
  }
}
