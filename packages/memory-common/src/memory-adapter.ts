import { type AdapterLogging, adapterOptions, type RecordLeaserOptions } from "@eph/core";
import type { MemoryRecordStore } from "./memory-record-store.js";
import { MemoryRecords } from "./memory-records.js";
import type { MemoryStoreInterceptor } from "./store-call.js";

/** Options of the memory leaser and checkpointer. */
export interface MemoryAdapterOptions<S extends MemoryRecordStore> extends AdapterLogging {
  /** The store to share with other hosts' instances. Default: a private store of this instance's own. */
  store?: S;
  /** Wraps every atomic store operation, to inject latency or faults. Default: {@link nextMicrotask}. */
  interceptor?: MemoryStoreInterceptor;
}

/** Which adapter: its class name, the store it makes when given none, and what its other options configure. */
export interface MemoryRole<S extends MemoryRecordStore, O> {
  /** The class name, in messages. */
  readonly name: string;
  /** Option names besides `store`, `interceptor` and `logger`. */
  readonly options: readonly string[];
  /** A private store, for an instance given none. */
  newStore(): S;
  /** Core's settings from the checked options (`groupWrites`). */
  configure?(options: O): Pick<RecordLeaserOptions, "groupWrites">;
}

/** Core's options for the memory adapter of `role` (its logger silent unless given). */
export function memoryAdapter<S extends MemoryRecordStore, O extends MemoryAdapterOptions<S>>(role: MemoryRole<S, O>) {
  const spec = { name: role.name, options: ["store", "interceptor", ...role.options] };
  return (options?: O): RecordLeaserOptions => {
    const o = adapterOptions(spec, options);
    const store = new MemoryRecords(o.store ?? role.newStore(), o.interceptor);
    return { ...role.configure?.(o), store, logger: o.logger, name: role.name };
  };
}

/** The shared store behind a memory adapter's record store. */
export function memoryStoreOf<S extends MemoryRecordStore>(records: unknown): S {
  return (records as MemoryRecords<S>).store;
}
