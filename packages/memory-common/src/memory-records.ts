import {
  allOrNothing,
  asRecordFields,
  type BatchOutcome,
  type CreateRequest,
  checkFunction,
  conflict,
  corruptRecord,
  type DeleteOutcome,
  deleted,
  EphError,
  type HostInfo,
  type ListRecordsOptions,
  type OperationOptions,
  type RecordFields,
  type RecordKey,
  type RecordScope,
  type RecordStore,
  type ReplaceRequest,
  storeError,
  throwIfAborted,
  type VersionedRecord,
  type WriteOutcome,
  written,
} from "@eph/core";
import {
  type HeldRecord,
  type MemoryRecordStore,
  put,
  type RecordTable,
  recordsIn,
  tableOf,
} from "./memory-record-store.js";
import { type MemoryStoreInterceptor, type MemoryStoreOperation, nextMicrotask } from "./store-call.js";

function copyOut({ kind, id, fields, version }: HeldRecord, scope: RecordScope): VersionedRecord {
  const copy = asRecordFields(fields);
  if (copy === undefined) throw corruptRecord(scope, kind, id, "its fields are not strings");
  return { kind, id, fields: copy, version };
}

/**
 * The {@link RecordStore} contract over a memory store, exactly: each call is one atomic step through
 * the interceptor, records are copied in and out, and the conditions are those of a real store;
 * `createMany` and `replaceMany` are all-or-nothing like Table entity group transactions.
 */
export class MemoryRecords<S extends MemoryRecordStore = MemoryRecordStore> implements RecordStore {
  readonly #table: RecordTable;
  readonly #interceptor: MemoryStoreInterceptor;
  #hostName: string | undefined;

  /** A record store on `store` through `interceptor`, each checked (`InvalidOption` naming the option). */
  constructor(
    readonly store: S,
    interceptor: MemoryStoreInterceptor | undefined,
  ) {
    this.#table = tableOf(store);
    this.#interceptor = checkFunction(interceptor, "options.interceptor") ?? nextMicrotask;
  }

  storeExists(options?: OperationOptions): Promise<boolean> {
    return this.#run("storeExists", undefined, options, () => this.store.exists);
  }

  async ensureStore(options?: OperationOptions): Promise<void> {
    await this.#run("ensureStore", undefined, options, () => {
      this.#table.present = true;
    });
  }

  async deleteStore(options?: OperationOptions): Promise<void> {
    await this.#run("deleteStore", undefined, options, () => this.store.drop());
  }

  read(key: RecordKey, options?: OperationOptions): Promise<VersionedRecord | undefined> {
    return this.#run("read", key.id, options, () => {
      const held = this.#get(key);
      return held && copyOut(held, key.scope);
    });
  }

  create(key: RecordKey, fields: RecordFields, options?: OperationOptions): Promise<WriteOutcome> {
    return this.#run("insert", key.id, options, () => (this.#get(key) ? conflict : this.#write(key, fields)));
  }

  replace(key: RecordKey, fields: RecordFields, expected: string, options?: OperationOptions): Promise<WriteOutcome> {
    return this.#run("replace", key.id, options, () =>
      this.#get(key)?.version === expected ? this.#write(key, fields) : conflict,
    );
  }

  replaceMany(requests: readonly ReplaceRequest[], options?: OperationOptions): Promise<BatchOutcome[]> {
    return this.#run("replaceMany", undefined, options, () =>
      allOrNothing(
        requests,
        (r) => this.#get(r)?.version === r.expectedVersion,
        (r) => this.#write(r, r.fields),
      ),
    );
  }

  createMany(requests: readonly CreateRequest[], options?: OperationOptions): Promise<BatchOutcome[]> {
    return this.#run("createMany", undefined, options, () =>
      allOrNothing(
        requests,
        (r) => this.#get(r) === undefined,
        (r) => this.#write(r, r.fields),
      ),
    );
  }

  list(scope: RecordScope, options: ListRecordsOptions): Promise<VersionedRecord[]> {
    return this.#run("list", undefined, options, () =>
      [...recordsIn(this.#table, scope).values()]
        .filter((held) => options.kinds.includes(held.kind) && asRecordFields(held.fields) !== undefined)
        .map((held) => copyOut(held, scope)),
    );
  }

  delete(key: RecordKey, expectedVersion?: string, options?: OperationOptions): Promise<DeleteOutcome> {
    return this.#run("delete", key.id, options, () => {
      if (expectedVersion !== undefined && this.#get(key)?.version !== expectedVersion) return conflict;
      if (recordsIn(this.#table, key.scope).delete(JSON.stringify([key.kind, key.id]))) this.#table.size -= 1;
      return deleted;
    });
  }

  /** Names the host in interceptor calls. */
  setEventProcessorHost(info: HostInfo): void {
    this.#hostName = info.hostName;
  }

  /** Nothing to release: the records belong to the store object users share. */
  async close(): Promise<void> {}

  #get(key: RecordKey): HeldRecord | undefined {
    return recordsIn(this.#table, key.scope).get(JSON.stringify([key.kind, key.id]));
  }

  #write(key: RecordKey, fields: RecordFields): WriteOutcome {
    return written(put(this.#table, key, Object.freeze({ ...fields })));
  }

  /** One atomic step: the signal is checked when it takes effect; a foreign failure is `StoreUnavailable`. */
  async #run<T>(
    operation: MemoryStoreOperation,
    id: string | undefined,
    o: OperationOptions | undefined,
    apply: () => T,
  ) {
    const where = id === undefined ? {} : { partitionId: id };
    try {
      return await this.#interceptor({ operation, hostName: this.#hostName, ...where }, () => {
        throwIfAborted(o?.abortSignal);
        return apply();
      });
    } catch (error) {
      if (error instanceof EphError) throw error;
      throwIfAborted(o?.abortSignal);
      throw storeError("unavailable", { operation, store: `the ${this.#table.description}`, ...where }, error);
    }
  }
}
