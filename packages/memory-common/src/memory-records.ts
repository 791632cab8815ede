import {
  type BatchOutcome,
  type DeleteOutcome,
  EphError,
  type ListRecordsOptions,
  type OperationOptions,
  type RecordFields,
  type RecordKey,
  type RecordScope,
  type RecordStore,
  type ReplaceRequest,
  type VersionedRecord,
  type WriteOutcome,
} from "@eph/core";
import type { RecordTable, StoredRecord } from "./record-table.js";
import { type MemoryStoreInterceptor, type MemoryStoreOperation, nextMicrotask, runStoreCall } from "./store-call.js";

/** A frozen copy of `value` if it is an object of string fields, else `undefined`. */
function fieldsOf(value: unknown): RecordFields | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  if (!Object.values(value).every((field) => typeof field === "string")) return undefined;
  return Object.freeze({ ...(value as RecordFields) });
}

function copyIn(fields: RecordFields): RecordFields {
  const copy = fieldsOf(fields);
  if (copy === undefined) throw new EphError("InvalidOption", "Record fields must be an object of strings.");
  return copy;
}

function copyOut(stored: StoredRecord): VersionedRecord {
  const fields = fieldsOf(stored.fields);
  if (fields === undefined) {
    throw new EphError(
      "CorruptRecord",
      `The ${stored.kind} record "${stored.id}" is corrupt: its fields are not strings.`,
      {
        partitionId: stored.id,
      },
    );
  }
  return { kind: stored.kind, id: stored.id, fields, version: stored.version };
}

const conflict = { status: "conflict" } as const;

/**
 * The {@link RecordStore} contract over an in-process table, exactly: each call is one atomic step
 * through the interceptor, records are copied in and out, and conditions are those of a real store.
 * With `batches`, `replaceMany` is all-or-nothing like a Table entity group transaction.
 */
export class MemoryRecords implements RecordStore {
  /** The host named in interceptor calls; its adapter sets it in `setEventProcessorHost`. */
  hostName: string | undefined;
  /** Present only when the store was made with `batches`. */
  readonly replaceMany?: (requests: readonly ReplaceRequest[], options?: OperationOptions) => Promise<BatchOutcome[]>;
  private readonly interceptor: MemoryStoreInterceptor;

  /** A record store on `table`; `interceptor` must be a function (`InvalidOption` naming it). */
  constructor(
    private readonly table: RecordTable,
    interceptor: unknown,
    batches = false,
  ) {
    if (interceptor !== undefined && typeof interceptor !== "function") {
      throw new EphError("InvalidOption", `options.interceptor must be a function, got ${String(interceptor)}.`);
    }
    this.interceptor = (interceptor as MemoryStoreInterceptor | undefined) ?? nextMicrotask;
    if (batches)
      this.replaceMany = (requests, options) =>
        this.run("replaceMany", undefined, options, () => this.applyBatch(requests));
  }

  storeExists(options?: OperationOptions): Promise<boolean> {
    return this.run("storeExists", undefined, options, () => this.table.present);
  }

  async ensureStore(options?: OperationOptions): Promise<void> {
    await this.run("ensureStore", undefined, options, () => {
      this.table.present = true;
    });
  }

  async deleteStore(options?: OperationOptions): Promise<void> {
    await this.run("deleteStore", undefined, options, () => this.table.drop());
  }

  read(key: RecordKey, options?: OperationOptions): Promise<VersionedRecord | undefined> {
    return this.run("read", key.id, options, () => {
      const stored = this.table.get(key.scope, key.kind, key.id);
      return stored && copyOut(stored);
    });
  }

  create(key: RecordKey, fields: RecordFields, options?: OperationOptions): Promise<WriteOutcome> {
    return this.run("insert", key.id, options, () => {
      if (this.table.get(key.scope, key.kind, key.id)) return conflict;
      return { status: "written", version: this.table.put(key.scope, key.kind, key.id, copyIn(fields)) };
    });
  }

  replace(key: RecordKey, fields: RecordFields, expected: string, options?: OperationOptions): Promise<WriteOutcome> {
    return this.run("replace", key.id, options, () => this.applyReplace(key, fields, expected));
  }

  list(scope: RecordScope, options: ListRecordsOptions): Promise<VersionedRecord[]> {
    return this.run("list", undefined, options, () =>
      this.table
        .list(scope)
        .filter((stored) => options.kinds.includes(stored.kind) && fieldsOf(stored.fields) !== undefined)
        .map(copyOut),
    );
  }

  delete(key: RecordKey, expectedVersion?: string, options?: OperationOptions): Promise<DeleteOutcome> {
    return this.run("delete", key.id, options, () => {
      const stored = this.table.get(key.scope, key.kind, key.id);
      if (expectedVersion !== undefined && stored?.version !== expectedVersion) return conflict;
      this.table.remove(key.scope, key.kind, key.id);
      return { status: "deleted" } as const;
    });
  }

  /** Nothing to release: the table belongs to the store object users share. */
  async close(): Promise<void> {}

  private applyReplace(key: RecordKey, fields: RecordFields, expected: string): WriteOutcome {
    if (this.table.get(key.scope, key.kind, key.id)?.version !== expected) return conflict;
    return { status: "written", version: this.table.put(key.scope, key.kind, key.id, copyIn(fields)) };
  }

  private applyBatch(requests: readonly ReplaceRequest[]): BatchOutcome[] {
    const failed = requests.findIndex((r) => this.table.get(r.scope, r.kind, r.id)?.version !== r.expectedVersion);
    if (failed >= 0) return requests.map((_, i) => (i === failed ? conflict : { status: "skipped" }));
    return requests.map((r) => this.applyReplace(r, r.fields, r.expectedVersion));
  }

  private run<T>(
    operation: MemoryStoreOperation,
    id: string | undefined,
    options: OperationOptions | undefined,
    apply: () => T,
  ): Promise<T> {
    const call = { operation, hostName: this.hostName, ...(id === undefined ? {} : { partitionId: id }) };
    return runStoreCall(this.interceptor, call, options?.abortSignal, this.table.description, apply);
  }
}
