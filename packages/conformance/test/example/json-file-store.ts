// json-file-store.ts: versioned records in one JSON file, and the Leaser and Checkpointer core builds on them.
import { randomUUID } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import {
  type AdapterLogging,
  adapterOptions,
  asRecordFields,
  checkpointerClass,
  conflict,
  corruptRecord,
  type DeleteOutcome,
  deleted,
  EphError,
  type ListRecordsOptions,
  leaserClass,
  type OperationOptions,
  type RecordFields,
  type RecordKey,
  type RecordScope,
  type RecordStore,
  storeError,
  throwIfAborted,
  type VersionedRecord,
  type WriteOutcome,
  written,
} from "@eph/core";

/** The file: every record by its key, with the scope, kind and id it was written under. */
type Records = Record<
  string,
  { scope: RecordScope; kind: VersionedRecord["kind"]; id: string; fields: unknown; version: string }
>;

// Every store on one path, in this process, takes its turn here: a call reads the file, decides and
// writes it back before the next call reads it. (Across processes this store would need a file lock.)
const turns = new Map<string, Promise<unknown>>();

/** A {@link RecordStore} in one JSON file: an adapter's whole job is this translation. */
export class JsonFileRecordStore implements RecordStore {
  constructor(private readonly path: string) {}

  async storeExists(options?: OperationOptions): Promise<boolean> {
    return this.#turn(options, "storeExists", async () => (await this.#load()) !== undefined);
  }

  async ensureStore(options?: OperationOptions): Promise<void> {
    await this.#turn(options, "ensureStore", async () => {
      if ((await this.#load()) === undefined) await this.#save({});
    });
  }

  async deleteStore(options?: OperationOptions): Promise<void> {
    await this.#turn(options, "deleteStore", () => rm(this.path, { force: true }));
  }

  async read(key: RecordKey, options?: OperationOptions): Promise<VersionedRecord | undefined> {
    return this.#turn(options, "read", async () => {
      const held = (await this.#records())[name(key)];
      if (held === undefined) return undefined;
      const fields = asRecordFields(held.fields);
      if (fields === undefined) throw corruptRecord(key.scope, key.kind, key.id, "its fields are not strings");
      return { kind: key.kind, id: key.id, fields, version: held.version };
    });
  }

  async create(key: RecordKey, fields: RecordFields, options?: OperationOptions): Promise<WriteOutcome> {
    return this.#write(key, fields, options, (held) => held === undefined);
  }

  async replace(key: RecordKey, fields: RecordFields, expected: string, options?: OperationOptions) {
    return this.#write(key, fields, options, (held) => held?.version === expected);
  }

  async list(scope: RecordScope, options: ListRecordsOptions): Promise<VersionedRecord[]> {
    return this.#turn(options, "list", async () => {
      const records: VersionedRecord[] = [];
      for (const { kind, id, fields, version, ...held } of Object.values(await this.#records())) {
        const readable = asRecordFields(fields);
        const inScope = JSON.stringify(held.scope) === JSON.stringify(scopeOf(scope));
        if (inScope && options.kinds.includes(kind) && readable) records.push({ kind, id, fields: readable, version });
      }
      return records;
    });
  }

  async delete(key: RecordKey, expected?: string, options?: OperationOptions): Promise<DeleteOutcome> {
    return this.#turn(options, "delete", async () => {
      const records = await this.#records();
      if (expected !== undefined && records[name(key)]?.version !== expected) return conflict;
      delete records[name(key)];
      await this.#save(records);
      return deleted;
    });
  }

  async close(): Promise<void> {}

  #write(
    key: RecordKey,
    fields: RecordFields,
    options: OperationOptions | undefined,
    allowed: (held?: Records[string]) => boolean,
  ) {
    return this.#turn(options, "write", async (): Promise<WriteOutcome> => {
      const records = await this.#records();
      if (!allowed(records[name(key)])) return conflict;
      // A random version is never reused, not even after the file was deleted and made again.
      const version = randomUUID();
      records[name(key)] = { scope: scopeOf(key.scope), kind: key.kind, id: key.id, fields, version };
      await this.#save(records);
      return written(version);
    });
  }

  async #load(): Promise<Records | undefined> {
    const text = await readFile(this.path, "utf8").catch((error) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
    return text === undefined ? undefined : JSON.parse(text);
  }

  async #records(): Promise<Records> {
    const records = await this.#load();
    if (records === undefined) throw new EphError("StoreNotFound", `${this.path} does not exist: call ensureStore().`);
    return records;
  }

  async #save(records: Records): Promise<void> {
    await writeFile(`${this.path}.tmp`, JSON.stringify(records));
    await rename(`${this.path}.tmp`, this.path);
  }

  /** Runs `call` in its turn; an abort before it starts is `Aborted`, a failure of the file system `StoreUnavailable`. */
  #turn<T>(options: OperationOptions | undefined, operation: string, call: () => Promise<T>): Promise<T> {
    const run = (turns.get(this.path) ?? Promise.resolve()).then(async () => {
      throwIfAborted(options?.abortSignal);
      try {
        return await call();
      } catch (error) {
        if (error instanceof EphError) throw error;
        throw storeError("unavailable", { operation, store: `file ${this.path}` }, error);
      }
    });
    turns.set(
      this.path,
      run.catch(() => {}),
    );
    return run;
  }
}

function scopeOf({ fullyQualifiedNamespace, eventHubName, consumerGroup }: RecordScope): RecordScope {
  return { fullyQualifiedNamespace, eventHubName, consumerGroup };
}

function name(key: RecordKey): string {
  return JSON.stringify([scopeOf(key.scope), key.kind, key.id]);
}

/** Core's lease protocol over the file: `new JsonFileLeaser("/tmp/leases.json", { logger: console })`. */
export class JsonFileLeaser extends leaserClass((path: string, options?: AdapterLogging) => ({
  ...adapterOptions({ name: "JsonFileLeaser", options: [] }, options),
  store: new JsonFileRecordStore(path),
})) {}

/** Core's checkpoint protocol over the file. */
export class JsonFileCheckpointer extends checkpointerClass((path: string, options?: AdapterLogging) => ({
  ...adapterOptions({ name: "JsonFileCheckpointer", options: [] }, options),
  store: new JsonFileRecordStore(path),
})) {}
