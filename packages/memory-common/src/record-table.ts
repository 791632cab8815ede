import { EphError, type RecordKind, type RecordScope } from "@eph/core";

/** A record as the memory store holds it. `fields` is unchecked so that test hooks can store garbage. */
export interface StoredRecord {
  readonly kind: RecordKind;
  readonly id: string;
  readonly fields: unknown;
  readonly version: string;
}

/** The map key of a scope: JSON of the three names cannot collide as joining them with `-` could. */
function scopeKey(scope: RecordScope): string {
  return JSON.stringify([scope.fullyQualifiedNamespace, scope.eventHubName, scope.consumerGroup]);
}

/**
 * What a container is to a blob store: records grouped by scope (so listing one hub costs only that
 * hub's records), each with a version from a counter that never repeats, so a record deleted and
 * created again never reuses an old version. It answers at once; conditions are the caller's.
 */
export class RecordTable {
  /** True once created and until dropped. */
  present = false;
  private readonly scopes = new Map<string, Map<string, StoredRecord>>();
  private count = 0;
  private lastVersion = 0;

  /** An empty, not yet existing table holding at most `maxRecords` records; `description` names it. */
  constructor(
    readonly maxRecords: number,
    readonly description: string,
  ) {}

  /** Number of records held, across all scopes. */
  get size(): number {
    return this.count;
  }

  /** Removes the table and every record in it. */
  drop(): void {
    this.present = false;
    this.scopes.clear();
    this.count = 0;
  }

  /** The record, or `undefined`. */
  get(scope: RecordScope, kind: RecordKind, id: string): StoredRecord | undefined {
    return this.records(scope)?.get(JSON.stringify([kind, id]));
  }

  /** Every record of `scope`. */
  list(scope: RecordScope): StoredRecord[] {
    return [...(this.records(scope)?.values() ?? [])];
  }

  /** Creates or replaces a record unconditionally and returns its new version. */
  put(scope: RecordScope, kind: RecordKind, id: string, fields: unknown): string {
    const records = this.records(scope) ?? new Map<string, StoredRecord>();
    this.scopes.set(scopeKey(scope), records);
    const key = JSON.stringify([kind, id]);
    if (!records.has(key)) {
      if (this.count >= this.maxRecords) {
        throw new EphError(
          "InvalidOption",
          `Cannot create the record of ${kind === "host" ? "host" : "partition"} "${id}": the ${this.description} is full (maxRecords is ${this.maxRecords}).`,
        );
      }
      this.count += 1;
    }
    this.lastVersion += 1;
    records.set(key, { kind, id, fields, version: String(this.lastVersion) });
    return String(this.lastVersion);
  }

  /** Deletes the record if there is one. */
  remove(scope: RecordScope, kind: RecordKind, id: string): void {
    if (this.records(scope)?.delete(JSON.stringify([kind, id]))) this.count -= 1;
  }

  private records(scope: RecordScope): Map<string, StoredRecord> | undefined {
    if (!this.present) {
      throw new EphError("StoreNotFound", `The ${this.description} does not exist: call ensureStore() first.`);
    }
    return this.scopes.get(scopeKey(scope));
  }
}
