import { EphError } from "@eph/core";

/** A stored record: any value (the adapter validates it on read) and the version of its last write. */
export interface StoredRecord {
  readonly value: unknown;
  readonly version: string;
}

/** Result of a conditional replace. */
export type ReplaceResult = { readonly ok: true; readonly version: string } | { readonly ok: false };

/**
 * A versioned key-value table with the conditional writes of a blob container or a table: create only
 * if absent, replace only if the version matches, delete. Records are grouped by scope so that listing
 * one hub's leases costs only that hub's records. Every write gets a new version from a counter that
 * never repeats, so a record deleted and recreated never reuses an old version.
 */
export class RecordTable {
  private present = false;
  private readonly scopes = new Map<string, Map<string, StoredRecord>>();
  private count = 0;
  private lastVersion = 0;

  /** Creates an empty, not yet existing table holding at most `maxRecords` records. */
  constructor(
    readonly maxRecords: number,
    private readonly describeTable: string,
  ) {}

  /** True once the table was created and until it is dropped. */
  get exists(): boolean {
    return this.present;
  }

  /** Number of records held. */
  get size(): number {
    return this.count;
  }

  /** Creates the table if it does not exist. */
  create(): void {
    this.present = true;
  }

  /** Removes the table and every record in it. */
  drop(): void {
    this.present = false;
    this.scopes.clear();
    this.count = 0;
  }

  /** The record under (scope, id), or `undefined`. */
  read(scope: string, id: string): StoredRecord | undefined {
    this.requireTable();
    return this.scopes.get(scope)?.get(id);
  }

  /** Every record of `scope`, with its id. */
  list(scope: string): Array<readonly [string, StoredRecord]> {
    this.requireTable();
    return [...(this.scopes.get(scope)?.entries() ?? [])];
  }

  /** Inserts a record if none exists under (scope, id); returns its version, or `undefined` if one exists. */
  insert(scope: string, id: string, value: unknown, what: string): string | undefined {
    this.requireTable();
    const records = this.scopes.get(scope);
    if (records?.has(id)) return undefined;
    this.requireRoom(what);
    return this.put(scope, id, value);
  }

  /** Replaces the record under (scope, id) only if its version is `ifMatch`. */
  replace(scope: string, id: string, value: unknown, ifMatch: string): ReplaceResult {
    this.requireTable();
    const current = this.scopes.get(scope)?.get(id);
    if (current === undefined || current.version !== ifMatch) return { ok: false };
    return { ok: true, version: this.put(scope, id, value) };
  }

  /** Writes a record unconditionally, creating or replacing it; returns its version. */
  upsert(scope: string, id: string, value: unknown, what: string): string {
    this.requireTable();
    if (!this.scopes.get(scope)?.has(id)) this.requireRoom(what);
    return this.put(scope, id, value);
  }

  /** Deletes the record under (scope, id) if there is one. */
  delete(scope: string, id: string): void {
    this.requireTable();
    const records = this.scopes.get(scope);
    if (records?.delete(id)) {
      this.count -= 1;
      if (records.size === 0) this.scopes.delete(scope);
    }
  }

  private put(scope: string, id: string, value: unknown): string {
    let records = this.scopes.get(scope);
    if (records === undefined) {
      records = new Map();
      this.scopes.set(scope, records);
    }
    if (!records.has(id)) this.count += 1;
    this.lastVersion += 1;
    const version = String(this.lastVersion);
    records.set(id, { value, version });
    return version;
  }

  private requireTable(): void {
    if (!this.present) {
      throw new EphError("StoreNotFound", `The ${this.describeTable} does not exist: call ensureStore() first.`);
    }
  }

  private requireRoom(what: string): void {
    if (this.count >= this.maxRecords) {
      throw new EphError(
        "InvalidOption",
        `Cannot create the record of ${what}: the ${this.describeTable} is full (maxRecords is ${this.maxRecords}).`,
      );
    }
  }
}
