import { checkOptions, type HostInfo, type Logger, RecordCheckpointer } from "@eph/core";
import { MemoryRecords, type MemoryStoreInterceptor, recordTableOf } from "@eph/memory-common";
import { MemoryCheckpointStore } from "./memory-checkpoint-store.js";

/** Options of {@link MemoryCheckpointer}. */
export interface MemoryCheckpointerOptions {
  /** The store to share with other hosts' checkpointers. Default: a private store of this instance's own. */
  store?: MemoryCheckpointStore;
  /**
   * Wraps every atomic store operation, to inject latency or faults (see {@link MemoryStoreInterceptor}).
   * Default: each operation takes effect on a later microtask.
   */
  interceptor?: MemoryStoreInterceptor;
  /** Where recovered problems are reported (`console` works). Default: nowhere. */
  logger?: Logger | Console;
}

/**
 * A {@link Checkpointer} over an in-process {@link MemoryCheckpointStore}: core's checkpoint protocol
 * (fences, no regression, one write per update in the common case) over a record store with the
 * semantics of a real one.
 */
export class MemoryCheckpointer extends RecordCheckpointer {
  /** The store this checkpointer reads and writes. */
  readonly store: MemoryCheckpointStore;
  private readonly memoryRecords: MemoryRecords;

  /** Creates a checkpointer on `options.store`, or on a private store when none is given. */
  constructor(options?: MemoryCheckpointerOptions) {
    const o = checkOptions(options, ["store", "interceptor", "logger"], "MemoryCheckpointer");
    const store = o.store ?? new MemoryCheckpointStore();
    const records = new MemoryRecords(recordTableOf(store), o.interceptor);
    super({ store: records, logger: o.logger, name: "MemoryCheckpointer" });
    this.store = store;
    this.memoryRecords = records;
  }

  /** Tells the checkpointer its host name, namespace, hub and consumer group. */
  override setEventProcessorHost(info: HostInfo): void {
    super.setEventProcessorHost(info);
    this.memoryRecords.hostName = info.hostName;
  }
}
