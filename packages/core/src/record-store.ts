import type { HostInfo } from "./host-info.js";
import type { OperationOptions } from "./operation-options.js";
import type { StoreProvisioner } from "./store.js";

/**
 * The one contract a store adapter implements: versioned records in a scope, with compare-and-swap.
 * `@eph/core` builds the whole lease and checkpoint protocol on it (held and seen versions, epoch + 1,
 * fences, regression, lost answers, retries, validation, redaction), so an adapter only maps these
 * calls onto its store's conditional writes, its errors onto `EphError` codes, and records onto bytes.
 *
 * Errors an adapter raises, always as `EphError`:
 * - `StoreNotFound` when the container, table or database table does not exist;
 * - `StoreUnavailable` for a transient failure (network, 5xx, throttling, a lost connection);
 * - `Aborted` when `abortSignal` fired;
 * - `CorruptRecord` when a stored record cannot be turned into fields (the message names the record);
 * - `InvalidOption` for arguments the store cannot represent (e.g. an id too long for its keys).
 * A lost compare-and-swap is not an error: it is the `"conflict"` outcome.
 */

/**
 * What records are kept for. Leases and host records are always listed together (one listing per scan
 * returns both), so a store's layout should put them under one prefix or partition key; checkpoints are
 * listed apart. `"host"` is reserved for the per-host liveness records of heartbeat leases.
 */
export type RecordKind = "lease" | "checkpoint" | "host";

/** Where records live: one namespace, event hub and consumer group. Stores put it in every key. */
export interface RecordScope {
  /** Fully qualified Event Hubs namespace, e.g. `contoso.servicebus.windows.net`. */
  readonly fullyQualifiedNamespace: string;
  /** Event hub name. */
  readonly eventHubName: string;
  /** Consumer group name, e.g. `$Default`. */
  readonly consumerGroup: string;
}

/**
 * A record's content: flat string fields, which blob metadata, table properties, JSON and SQL all
 * hold. Names are lower-case ASCII letters and digits starting with a letter (valid blob metadata
 * keys). Values are any strings (empty, non-ASCII, with quotes or newlines) and must read back exactly:
 * a store that cannot hold some characters (blob metadata is ASCII) encodes them. Core encodes and
 * decodes records, including a format version field, so adapters store the fields as they are.
 */
export type RecordFields = Readonly<Record<string, string>>;

/** A record as read from the store. */
export interface VersionedRecord {
  /** What the record is for. */
  readonly kind: RecordKind;
  /** Its id within the kind: a partition id for leases and checkpoints, a host name for host records. */
  readonly id: string;
  /** Its content. */
  readonly fields: RecordFields;
  /**
   * Opaque token that changes on every write (an ETag, a counter) and is never reused for the same key,
   * not even after the record was deleted and created again.
   */
  readonly version: string;
}

/** Identifies one record in a scope. */
export interface RecordKey {
  /** The scope (namespace, hub, consumer group). */
  readonly scope: RecordScope;
  /** What the record is for. */
  readonly kind: RecordKind;
  /** Its id within the kind. */
  readonly id: string;
}

/**
 * The result of a conditional write. `"conflict"`: the condition did not hold (create: the record
 * exists; replace or delete: the record changed or is gone). After a conflict, or an error whose
 * answer may have been lost, core reads the record again to decide whether its own write landed.
 */
export type WriteOutcome = { readonly status: "written"; readonly version: string } | { readonly status: "conflict" };

/** The result of {@link RecordStore.delete}: `"conflict"` when its `expectedVersion` did not hold. */
export type DeleteOutcome = { readonly status: "deleted" } | { readonly status: "conflict" };

/** The outcome of one member of {@link RecordStore.replaceMany}: `"skipped"` when not attempted. */
export type BatchOutcome = WriteOutcome | { readonly status: "skipped" };

/** One member of {@link RecordStore.createMany}. */
export interface CreateRequest extends RecordKey {
  /** The new record's content. */
  readonly fields: RecordFields;
}

/** One member of {@link RecordStore.replaceMany}. */
export interface ReplaceRequest extends RecordKey {
  /** The new content. */
  readonly fields: RecordFields;
  /** The write is conditional on the record still being at this version. */
  readonly expectedVersion: string;
}

/** Options of {@link RecordStore.list}. */
export interface ListRecordsOptions extends OperationOptions {
  /** The kinds to return, e.g. `["lease", "host"]` for a scan. */
  readonly kinds: readonly RecordKind[];
}

/**
 * Versioned records with compare-and-swap: the contract every eph store adapter implements. Each method
 * is one store call where the store allows it (calls are counted: a renewal is one `replace`, a scan
 * one `list` per 5 000 records).
 */
export interface RecordStore extends StoreProvisioner {
  /** The record, or `undefined` when it does not exist. */
  read(key: RecordKey, options?: OperationOptions): Promise<VersionedRecord | undefined>;
  /** Writes the record only if it does not exist (`"conflict"` if it does). */
  create(key: RecordKey, fields: RecordFields, options?: OperationOptions): Promise<WriteOutcome>;
  /** Writes the record only if it is at `expectedVersion` (`"conflict"` if it changed or is gone). */
  replace(
    key: RecordKey,
    fields: RecordFields,
    expectedVersion: string,
    options?: OperationOptions,
  ): Promise<WriteOutcome>;
  /**
   * Optional: several replaces in one call, for stores with batch transactions (Table entity group
   * transactions). Core calls it only with members of one scope and kind, at most 100 at a time, and
   * gets one outcome per member in request order. A store whose batches are all-or-nothing reports the
   * member that failed its condition as `"conflict"` and the others as `"skipped"`; core retries those.
   */
  replaceMany?(requests: readonly ReplaceRequest[], options?: OperationOptions): Promise<BatchOutcome[]>;
  /**
   * Optional: several creates in one call, under the rules of `replaceMany` (one scope and kind, at
   * most 100, one outcome per member in order). In an all-or-nothing batch the member that exists
   * already is the `"conflict"`, the others `"skipped"`.
   */
  createMany?(requests: readonly CreateRequest[], options?: OperationOptions): Promise<BatchOutcome[]>;
  /**
   * Every record of the given kinds in the scope, in as few calls as the store allows, in any order.
   * A record the store cannot turn into fields is left out (`read` reports it as `CorruptRecord`), so
   * one damaged record never hides the others.
   */
  list(scope: RecordScope, options: ListRecordsOptions): Promise<VersionedRecord[]>;
  /**
   * Deletes the record; with `expectedVersion`, only if it is at that version. Deleting a record that
   * does not exist is `"deleted"` without a condition and `"conflict"` with one.
   */
  delete(key: RecordKey, expectedVersion?: string, options?: OperationOptions): Promise<DeleteOutcome>;
  /** Releases clients and sockets the store opened itself (not those it was given). */
  close(): Promise<void>;
  /** Optional: told the (checked) host info its Leaser or Checkpointer was given, e.g. to name the host in its calls. */
  setEventProcessorHost?(info: HostInfo): void;
}
