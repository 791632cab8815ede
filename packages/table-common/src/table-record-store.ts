import type { TableClient, TableEntity, TransactionAction } from "@azure/data-tables";
import {
  type BatchOutcome,
  batchConflict,
  type ClassifiedFailure,
  type CreateRequest,
  checkClient,
  conflict,
  type DeleteOutcome,
  deleted,
  EphError,
  type HostInfo,
  type ListedItem,
  type ListRecordsOptions,
  type Logger,
  listedRecords,
  type OperationOptions,
  type RecordFields,
  type RecordKey,
  type RecordKind,
  type RecordScope,
  type RecordStore,
  type ReplaceRequest,
  type StoreAnswer,
  storeCall,
  type VersionedRecord,
  type WriteOutcome,
  written,
} from "@eph/core";
import { ephKeyLayout, type TableKeyLayout } from "./entity-keys.js";
import { classifyFailure } from "./table-request-error.js";

/** Options of {@link TableRecordStore}. */
export interface TableRecordStoreOptions {
  /** Where skipped entities and transient failures are logged (a checked logger). */
  readonly logger: Logger;
  /** Key layouts of kinds not kept in {@link ephKeyLayout}, e.g. `{ checkpoint: officialLayout }`. */
  readonly layouts?: Partial<Record<RecordKind, TableKeyLayout>> | undefined;
}

/** Properties the SDK gives every entity (and `odata.*` metadata): never record fields. */
const SYSTEM = new Set(["partitionKey", "rowKey", "etag", "timestamp"]);

/** What a version of this store looks like (an ETag); anything else, `*` above all, matches nothing. */
const ETAG = /^(W\/)?"[^*]*"$/;

/** The service's page size limit: a scan of 5 000 leases takes 5 pages of one query. */
const PAGE_SIZE = 1000;

/**
 * A {@link RecordStore} in one table of Azure Table Storage (or Cosmos DB's Table API) through
 * `@azure/data-tables`. A record is one entity: PartitionKey per scope and kind, RowKey its id (see
 * {@link TableKeyLayout}), its fields as string properties of the same names, its version the ETag.
 * Create is insert-only, replace and conditional delete are If-Match on the ETag, `createMany` and
 * `replaceMany` are entity group transactions (all-or-nothing), `list` one query over the kinds' PartitionKeys.
 */
export class TableRecordStore implements RecordStore {
  // Private fields stay out of util.inspect: the client holds the account key or SAS.
  readonly #client: TableClient;
  readonly #logger: Logger;
  readonly #layouts: Partial<Record<RecordKind, TableKeyLayout>>;

  /** Uses `tableClient` (`InvalidOption` unless a `TableClient`); it stays the caller's. */
  constructor(tableClient: TableClient, options: TableRecordStoreOptions) {
    const what = "tableClient must be a TableClient from @azure/data-tables";
    this.#client = checkClient(tableClient, ["submitTransaction"], what);
    this.#logger = options.logger;
    this.#layouts = options.layouts ?? {};
  }

  /** The table's name. */
  get tableName(): string {
    return this.#client.tableName;
  }

  /** Checks that the host's scope fits every kind's keys (`InvalidOption` naming the name that does not). */
  setEventProcessorHost(info: HostInfo): void {
    for (const kind of ["lease", "checkpoint", "host"] as const) this.#layout(kind).partitionKey(info, kind);
  }

  /** Whether the table exists, asked with a one-entity query of a PartitionKey no record has. */
  async storeExists(options?: OperationOptions): Promise<boolean> {
    try {
      await this.#call("storeExists", options, undefined, (abortSignal) =>
        this.#client
          .listEntities({ queryOptions: { filter: "PartitionKey eq ''" }, abortSignal })
          .byPage({ maxPageSize: 1 })
          .next(),
      );
      return true;
    } catch (error) {
      if ((error as EphError).code === "StoreNotFound") return false;
      throw error;
    }
  }

  /** Creates the table if it is missing; concurrent calls from many hosts all succeed. */
  async ensureStore(options?: OperationOptions): Promise<void> {
    await this.#call("ensureStore", options, undefined, (abortSignal) => this.#client.createTable({ abortSignal }));
  }

  /** Deletes the table and every record in it; no error if it does not exist. */
  async deleteStore(options?: OperationOptions): Promise<void> {
    await this.#call("deleteStore", options, undefined, (abortSignal) => this.#client.deleteTable({ abortSignal }));
  }

  /** @inheritdoc */
  async read(key: RecordKey, options?: OperationOptions): Promise<VersionedRecord | undefined> {
    const [partitionKey, rowKey] = this.#keys(key);
    const entity = await this.#call("read", options, key.id, (abortSignal) =>
      this.#client.getEntity<Record<string, unknown>>(partitionKey, rowKey, { abortSignal }),
    );
    if (typeof entity === "string") return undefined;
    const fields = fieldsOf(entity);
    if (typeof fields === "string")
      throw new EphError(
        "CorruptRecord",
        `The ${key.kind} entity ${keysOf(entity)} in the table is corrupt: ${fields}.`,
        {
          partitionId: key.id,
        },
      );
    return { kind: key.kind, id: key.id, fields, version: String(entity.etag) };
  }

  /** @inheritdoc */
  async create(key: RecordKey, fields: RecordFields, options?: OperationOptions): Promise<WriteOutcome> {
    const entity = this.#entity(key, fields);
    return this.#written(
      await this.#call("create", options, key.id, (abortSignal) => this.#client.createEntity(entity, { abortSignal })),
    );
  }

  /** @inheritdoc */
  async replace(
    key: RecordKey,
    fields: RecordFields,
    expectedVersion: string,
    options?: OperationOptions,
  ): Promise<WriteOutcome> {
    const entity = this.#entity(key, fields);
    if (!ETAG.test(expectedVersion)) return conflict;
    return this.#written(
      await this.#call("replace", options, key.id, (abortSignal) =>
        this.#client.updateEntity(entity, "Replace", { etag: expectedVersion, abortSignal }),
      ),
    );
  }

  /**
   * One entity group transaction (core sends at most 100 members of one scope and kind, so of one
   * PartitionKey). It is all-or-nothing: the member the service names as failing its condition is a
   * `"conflict"`, the others are `"skipped"`.
   */
  async replaceMany(requests: readonly ReplaceRequest[], options?: OperationOptions): Promise<BatchOutcome[]> {
    const actions = requests.map(
      (r): TransactionAction => ["update", this.#entity(r, r.fields), "Replace", { etag: r.expectedVersion }],
    );
    const stale = requests.findIndex((r) => !ETAG.test(r.expectedVersion));
    if (stale >= 0) return batchConflict(requests.length, stale);
    return this.#transaction("replaceMany", actions, options);
  }

  /** Insert-only creates as one entity group transaction: the member that exists is the `"conflict"`. */
  async createMany(requests: readonly CreateRequest[], options?: OperationOptions): Promise<BatchOutcome[]> {
    const actions = requests.map((r): TransactionAction => ["create", this.#entity(r, r.fields)]);
    return this.#transaction("createMany", actions, options);
  }

  /** Every record of the kinds in the scope: one query over their PartitionKeys, 1 000 entities a page. */
  async list(scope: RecordScope, options: ListRecordsOptions): Promise<VersionedRecord[]> {
    const kinds = new Map(options.kinds.map((kind) => [this.#layout(kind).partitionKey(scope, kind), kind]));
    const filter = [...kinds.keys()].map((pk) => `PartitionKey eq '${pk.replace(/'/g, "''")}'`).join(" or ");
    const listed = (entity: Record<string, unknown>): ListedItem => {
      const kind = kinds.get(String(entity.partitionKey)) as RecordKind;
      const id = this.#layout(kind).id(String(entity.rowKey));
      const fields = id === undefined ? "its RowKey is not an id" : fieldsOf(entity);
      if (typeof fields === "string") return { skipped: `the ${kind} entity ${keysOf(entity)}: ${fields}` };
      return { kind, id: id as string, fields, version: String(entity.etag) };
    };
    let records: VersionedRecord[] = [];
    await this.#call("list", options, undefined, async (abortSignal) => {
      const pages = this.#client
        .listEntities<Record<string, unknown>>({ queryOptions: { filter }, abortSignal })
        .byPage({ maxPageSize: PAGE_SIZE });
      records = await listedRecords(pages, (page) => page, listed, this.#logger);
    });
    return records;
  }

  /** @inheritdoc */
  async delete(key: RecordKey, expectedVersion?: string, options?: OperationOptions): Promise<DeleteOutcome> {
    const [partitionKey, rowKey] = this.#keys(key);
    if (expectedVersion !== undefined && !ETAG.test(expectedVersion)) return conflict;
    const outcome = await this.#call("delete", options, key.id, (abortSignal) =>
      this.#client.deleteEntity(partitionKey, rowKey, { etag: expectedVersion ?? "*", abortSignal }),
    );
    return typeof outcome === "string" && expectedVersion !== undefined ? conflict : deleted;
  }

  /** Nothing to release: the client is the caller's. */
  async close(): Promise<void> {}

  async #transaction(operation: string, actions: TransactionAction[], options: OperationOptions | undefined) {
    let failed: number | undefined;
    const response = await this.#call(
      operation,
      options,
      undefined,
      (abortSignal) => this.#client.submitTransaction(actions, { abortSignal }),
      (_failure, thrown) => {
        failed = failedMember(thrown, actions.length);
        return failed !== undefined;
      },
    );
    if (typeof response === "string") return batchConflict(actions.length, failed ?? -1);
    return actions.map((_, i) => this.#written(response.subResponses[i] ?? {}));
  }

  #layout(kind: RecordKind): TableKeyLayout {
    return this.#layouts[kind] ?? ephKeyLayout;
  }

  #keys(key: RecordKey): [string, string] {
    const layout = this.#layout(key.kind);
    return [layout.partitionKey(key.scope, key.kind), layout.rowKey(key.id)];
  }

  #entity(key: RecordKey, fields: RecordFields): TableEntity<Record<string, string>> {
    const [partitionKey, rowKey] = this.#keys(key);
    for (const name of Object.keys(fields)) {
      if (SYSTEM.has(name)) {
        throw new EphError("InvalidOption", `A table record cannot hold a field named "${name}".`, {
          partitionId: key.id,
        });
      }
    }
    return { ...fields, partitionKey, rowKey };
  }

  #written(response: { etag?: string | undefined } | string): WriteOutcome {
    if (typeof response === "string") return conflict;
    if (!response.etag)
      throw new EphError("StoreUnavailable", `The table "${this.tableName}" answered a write without an ETag.`);
    return written(response.etag);
  }

  /**
   * Runs one SDK call through core's `storeCall`: the entity's absence, an existing entity and a failed
   * condition come back as the caller's answer (unless `answers` refuses it); `Aborted`, `StoreNotFound`
   * and `StoreUnavailable` (logged: the caller retries it) are thrown.
   */
  #call<T>(
    operation: string,
    options: OperationOptions | undefined,
    partitionId: string | undefined,
    request: (abortSignal: AbortSignal | undefined) => Promise<T>,
    answers?: (failure: ClassifiedFailure, thrown: unknown) => boolean,
  ): Promise<T | StoreAnswer> {
    const site = { operation, store: `table "${this.tableName}"`, partitionId };
    return storeCall(options, this.#logger, site, request, classifyFailure, answers);
  }
}

/** The record's fields, or why the entity holds none (every property must be a string). */
function fieldsOf(entity: Record<string, unknown>): RecordFields | string {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(entity)) {
    if (SYSTEM.has(name) || name.startsWith("odata.")) continue;
    if (typeof value !== "string") return `its property "${name}" is not a string`;
    fields[name] = value;
  }
  return typeof entity.etag === "string" && entity.etag !== "" ? fields : "it came without an ETag";
}

function keysOf(entity: Record<string, unknown>): string {
  return `PartitionKey=${JSON.stringify(entity.partitionKey)} RowKey=${JSON.stringify(entity.rowKey)}`;
}

// A failed transaction names its failing action as "<index>:<message>". Only failures that concern that
// one entity (its condition, its existence: core's answers) make it the batch's conflict; anything else
// fails the batch.
function failedMember(thrown: unknown, size: number): number | undefined {
  const message = (thrown as { message?: unknown } | undefined)?.message;
  const match = typeof message === "string" ? /^(\d+):/.exec(message) : null;
  const index = match ? Number(match[1]) : Number.NaN;
  return index < size ? index : undefined;
}
