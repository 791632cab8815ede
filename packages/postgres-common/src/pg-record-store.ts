import {
  asRecordFields,
  conflict,
  corruptRecord,
  type DeleteOutcome,
  deleted,
  EphError,
  ensureCreated,
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
  redactSecrets,
  scopeKeyParts,
  throwIfAborted,
  untilAborted,
  type VersionedRecord,
  type WriteOutcome,
  written,
} from "@eph/core";
import pg from "pg";
import { failureCode, toEphError } from "./pg-failure.js";
import { type PoolConnectionOptions, poolFromConnectionString, poolSecrets, validatePool } from "./pool.js";
import { recordStatements, type Statements } from "./statements.js";
import { quotedTableName } from "./table-name.js";

/** Options of {@link PgRecordStore}. */
export interface PgRecordStoreOptions {
  /** The table holding the records: `table` or `schema.table`, lower-case (checked, then quoted). */
  tableName: string;
  /** Where skipped records and errors of idle pooled connections are logged (core logs the rest). */
  logger: Logger;
}

// Text columns cannot hold NUL, and node-postgres sends a lone surrogate as U+FFFD, which would make two
// ids one key. B-tree keys are limited to about 2.7 kB, so each of the five parts is kept short.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what is refused.
const UNREPRESENTABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const MAX_KEY_PART = 512;

// A version is the writing transaction's id (see statements.ts): digits only, anything else never matches.
const VERSION = /^[0-9]{1,19}$/;

function keyPart(what: string, value: unknown, partitionId?: string): string {
  if (typeof value !== "string" || value === "" || value.length > MAX_KEY_PART || UNREPRESENTABLE.test(value)) {
    throw new EphError(
      "InvalidOption",
      `${what} ${JSON.stringify(String(value).slice(0, 100))} cannot be a PostgreSQL record key (1-${MAX_KEY_PART} characters, no NUL or lone surrogate).`,
      { partitionId },
    );
  }
  return value;
}

function scopeValues(scope: RecordScope): string[] {
  return scopeKeyParts(scope, keyPart);
}

function keyValues(key: RecordKey): string[] {
  return [...scopeValues(key.scope), keyPart("kind", key.kind), keyPart("id", key.id, key.id)];
}

function parseFields(text: unknown): RecordFields | undefined {
  try {
    return typeof text === "string" ? asRecordFields(JSON.parse(text)) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A {@link RecordStore} in one PostgreSQL table through node-postgres: one row per record, keyed by
 * namespace, event hub, consumer group, kind and id, its fields as JSON text, compare-and-swap on a
 * version column. Every call is one statement on a connection of the pool.
 */
export class PgRecordStore implements RecordStore {
  /** The table's name as given (`eph_leases`, `myschema.eph_leases`). */
  readonly tableName: string;
  // Private fields stay out of util.inspect: the pool's options hold the password.
  readonly #pool: pg.Pool;
  readonly #sql: Statements;
  readonly #logger: Logger;
  readonly #secrets: string[];
  #ownsPool = false;
  #closed = false;

  /** Uses `pool` (`InvalidOption` unless a `pg.Pool`); it stays the caller's: `close()` leaves it open. */
  constructor(pool: pg.Pool, options: PgRecordStoreOptions) {
    this.#sql = recordStatements(quotedTableName("tableName", options.tableName));
    this.tableName = options.tableName;
    this.#pool = validatePool(pool);
    this.#logger = options.logger;
    this.#secrets = poolSecrets(this.#pool);
  }

  /** A store on a pool of its own, created from a `postgres://` URL and ended by `close()`. */
  static fromConnectionString(
    connectionString: string,
    options: PgRecordStoreOptions & PoolConnectionOptions,
  ): PgRecordStore {
    quotedTableName("tableName", options.tableName);
    const pool = poolFromConnectionString(connectionString, options);
    const store = new PgRecordStore(pool, options);
    store.#ownsPool = true;
    // An idle connection the server drops makes the pool emit "error", which kills the process if no
    // one listens. A pool handed in is its owner's to watch.
    pool.on("error", (error) => options.logger.warning(`idle PostgreSQL connection lost: ${store.#redact(error)}`));
    return store;
  }

  /**
   * Checks that the host's scope fits the table's keys (`InvalidOption` naming the name that does not),
   * as the blob and table stores do: a misconfigured host fails when it is configured, not at its first call.
   */
  setEventProcessorHost(info: HostInfo): void {
    scopeValues(info);
  }

  /** @inheritdoc */
  async storeExists(options?: OperationOptions): Promise<boolean> {
    const result = await this.#query("storeExists", this.#sql.exists, [this.#sql.table], options);
    return result.rows[0]?.exists === true;
  }

  /** Creates the table if it is missing; safe when many hosts call it at once. */
  async ensureStore(options?: OperationOptions): Promise<void> {
    // Concurrent CREATE TABLE IF NOT EXISTS fail on the catalogue's unique index of type names (23505),
    // as duplicate type (42710) or duplicate table (42P07), once the winner has committed; a role that
    // may not create tables (42501) is fine too, as long as the table is there.
    await ensureCreated(
      () => this.#query("ensureStore", this.#sql.createTable, [], options),
      (error) => ["23505", "42710", "42P07", "42501"].includes(failureCode((error as EphError).cause) ?? ""),
      () => this.storeExists(options),
    );
  }

  /** @inheritdoc */
  async deleteStore(options?: OperationOptions): Promise<void> {
    await this.#query("deleteStore", this.#sql.dropTable, [], options);
  }

  /** @inheritdoc */
  async read(key: RecordKey, options?: OperationOptions): Promise<VersionedRecord | undefined> {
    const result = await this.#query("read", this.#sql.read, keyValues(key), options, key.id);
    const row = result.rows[0];
    if (row === undefined) return undefined;
    const fields = parseFields(row.fields);
    if (fields === undefined)
      throw corruptRecord(key.scope, key.kind, key.id, `in ${this.tableName} its fields are not JSON of strings`);
    return { kind: key.kind, id: key.id, fields, version: String(row.version) };
  }

  /** @inheritdoc */
  async create(key: RecordKey, fields: RecordFields, options?: OperationOptions): Promise<WriteOutcome> {
    const values = [...keyValues(key), JSON.stringify(fields)];
    return this.#written(await this.#query("create", this.#sql.create, values, options, key.id));
  }

  /** @inheritdoc */
  async replace(
    key: RecordKey,
    fields: RecordFields,
    expectedVersion: string,
    options?: OperationOptions,
  ): Promise<WriteOutcome> {
    const values = [...keyValues(key), JSON.stringify(fields)];
    if (!VERSION.test(expectedVersion)) return conflict;
    return this.#written(
      await this.#query("replace", this.#sql.replace, [...values, expectedVersion], options, key.id),
    );
  }

  /** @inheritdoc */
  async list(scope: RecordScope, options: ListRecordsOptions): Promise<VersionedRecord[]> {
    const kinds = [...options.kinds];
    const result = await this.#query("list", this.#sql.list, [...scopeValues(scope), kinds], options);
    return listedRecords(
      [result.rows],
      (rows) => rows,
      (row): ListedItem => {
        const fields = parseFields(row.fields);
        if (fields === undefined)
          return { skipped: `the ${row.kind} record "${row.id}" in ${this.tableName}: not JSON of string fields` };
        return { kind: row.kind as RecordKind, id: String(row.id), fields, version: String(row.version) };
      },
      this.#logger,
    );
  }

  /** @inheritdoc */
  async delete(key: RecordKey, expectedVersion?: string, options?: OperationOptions): Promise<DeleteOutcome> {
    const values = keyValues(key);
    if (expectedVersion === undefined) {
      await this.#query("delete", this.#sql.delete, values, options, key.id);
      return deleted;
    }
    if (!VERSION.test(expectedVersion)) return conflict;
    const result = await this.#query("delete", this.#sql.deleteAt, [...values, expectedVersion], options, key.id);
    return result.rowCount === 1 ? deleted : conflict;
  }

  /** Ends the pool if this store created it; a pool handed in stays open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsPool) await this.#pool.end();
  }

  #written(result: pg.QueryResult): WriteOutcome {
    const row = result.rows[0];
    return row === undefined ? conflict : written(String(row.version));
  }

  #redact(error: unknown): string {
    return redactSecrets(error instanceof Error ? error.message : String(error), this.#secrets);
  }

  /**
   * Runs one statement on a connection of its own. node-postgres takes no abort signal, so an abort
   * destroys the connection (the caller gets `Aborted` at once) and asks the server to cancel the
   * statement, which may be waiting on a lock. A write cancelled that late may still have landed: the
   * outcome of an aborted write is unknown, as with any lost answer.
   */
  async #query(
    operation: string,
    text: string,
    values: unknown[],
    options?: OperationOptions,
    partitionId?: string,
  ): Promise<pg.QueryResult> {
    const signal = options?.abortSignal;
    if (this.#closed) throw new EphError("Closed", `${operation}: the PostgreSQL store was closed.`, { partitionId });
    throwIfAborted(signal);
    const connecting = this.#pool.connect();
    let client: pg.PoolClient;
    try {
      client = await untilAborted(connecting, signal, () =>
        connecting.then(
          (late) => late.release(),
          () => {},
        ),
      );
    } catch (error) {
      throw this.#fail(error, operation, signal, partitionId);
    }
    let released = false;
    const cancel = () => {
      released = true;
      const pid = (client as { processID?: unknown }).processID;
      client.release(true);
      if (typeof pid === "number") this.#pool.query("SELECT pg_cancel_backend($1)", [pid]).catch(() => {});
    };
    try {
      const result = await untilAborted(client.query(text, values), signal, cancel);
      client.release();
      return result;
    } catch (error) {
      // A statement the server refused leaves the connection usable; anything else may not.
      if (!released) client.release(!leavesConnectionUsable(error));
      throw this.#fail(error, operation, signal, partitionId);
    }
  }

  #fail(error: unknown, operation: string, signal: AbortSignal | undefined, partitionId?: string): EphError {
    return toEphError(error, operation, this.tableName, this.#secrets, signal, partitionId);
  }
}

function leavesConnectionUsable(error: unknown): boolean {
  return error instanceof pg.DatabaseError && !/^(08|57)/.test(error.code ?? "");
}
