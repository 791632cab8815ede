import { checkOptions, type Logger, RecordCheckpointer } from "@eph/core";
import { MemoryRecords, type MemoryStoreInterceptor } from "@eph/memory-common";
import { MemoryCheckpointStore } from "./memory-checkpoint-store.js";

/** Options of {@link MemoryCheckpointer}. */
export interface MemoryCheckpointerOptions {
  /** The store to share with other hosts' checkpointers. Default: a private store of this instance's own. */
  store?: MemoryCheckpointStore;
  /** Wraps every atomic store operation, to inject latency or faults. Default: {@link nextMicrotask}. */
  interceptor?: MemoryStoreInterceptor;
  /** Where recovered problems are reported (`console` works). Default: nowhere. */
  logger?: Logger | Console;
}

/**
 * A {@link Checkpointer} over an in-process {@link MemoryCheckpointStore}: core's checkpoint protocol
 * (fences, no regression) over a record store with the semantics of a real one. One instance per host.
 */
export class MemoryCheckpointer extends RecordCheckpointer {
  /** The store this checkpointer reads and writes. */
  readonly store: MemoryCheckpointStore;

  /** Creates a checkpointer on `options.store`, or on a private store when none is given. */
  constructor(options?: MemoryCheckpointerOptions) {
    const o = checkOptions(options, ["store", "interceptor", "logger"], "MemoryCheckpointer");
    const records = new MemoryRecords(o.store ?? new MemoryCheckpointStore(), o.interceptor);
    super({ store: records, logger: o.logger, name: "MemoryCheckpointer" });
    this.store = records.store;
  }
}
