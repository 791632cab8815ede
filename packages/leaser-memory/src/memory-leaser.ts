import { checkOptions, type Logger, RecordLeaser } from "@eph/core";
import { MemoryRecords, type MemoryStoreInterceptor } from "@eph/memory-common";
import { MemoryLeaseStore } from "./memory-lease-store.js";

/** Options of {@link MemoryLeaser}. */
export interface MemoryLeaserOptions {
  /** The store to share with other hosts' leasers. Default: a private store of this leaser's own. */
  store?: MemoryLeaseStore;
  /** Wraps every atomic store operation, to inject latency or faults. Default: {@link nextMicrotask}. */
  interceptor?: MemoryStoreInterceptor;
  /** Where skipped corrupt records and recovered races are reported (`console` works). Default: nowhere. */
  logger?: Logger | Console;
  /** Renew leases issued in the same turn as one atomic batch, as a Table store does (default false). */
  groupWrites?: boolean;
}

/**
 * A {@link Leaser} over an in-process {@link MemoryLeaseStore}: core's lease protocol over a record
 * store with the semantics of a real one. One instance per host.
 */
export class MemoryLeaser extends RecordLeaser {
  /** The store this leaser reads and writes. */
  readonly store: MemoryLeaseStore;

  /** Creates a leaser on `options.store`, or on a private store when none is given. */
  constructor(options?: MemoryLeaserOptions) {
    const o = checkOptions(options, ["store", "interceptor", "logger", "groupWrites"], "MemoryLeaser");
    const records = new MemoryRecords(o.store ?? new MemoryLeaseStore(), o.interceptor);
    super({ store: records, logger: o.logger, name: "MemoryLeaser", groupWrites: o.groupWrites ?? false });
    this.store = records.store;
  }
}
