import type { HostInfo } from "./host-info.js";
import type { OperationOptions } from "./operation-options.js";
import type { RecordFields, RecordScope } from "./record-store.js";
import type { StoreProvisioner } from "./store.js";

/**
 * An event a handler could not process, kept so that processing can go on without losing it: what
 * `onHandlerFailure: "deadLetter"` writes after the retries, and what `eph dead-letters` lists, shows,
 * replays and purges. One per partition and sequence number: writing the same event again replaces it.
 */
export interface DeadLetter {
  /** The partition the event was read from. */
  readonly partitionId: string;
  /** Its sequence number in that partition. */
  readonly sequenceNumber: number;
  /** Its offset in that partition. */
  readonly offset: string;
  /** When the service enqueued it. */
  readonly enqueuedTime: Date;
  /** The partition key it was sent with, if any. */
  readonly partitionKey?: string | undefined;
  /** Its body as the client decoded it (bytes, a string, a JSON value), stored so it reads back alike. */
  readonly body: unknown;
  /** Its application properties. */
  readonly properties: Readonly<Record<string, unknown>>;
  /** Its system properties (message id, content type and the like). */
  readonly systemProperties: Readonly<Record<string, unknown>>;
  /** The handler's last failure: its name and message (secrets such as keys and SAS tokens removed). */
  readonly error: { readonly name: string; readonly message: string };
  /** The host that gave up on it. */
  readonly hostName: string;
  /** When it was written to the dead-letter store. */
  readonly deadLetteredAt: Date;
}

/** What a listing tells of a dead letter without reading its body. */
export interface DeadLetterSummary {
  /** Its id, `<partition id>:<sequence number>`, for {@link DeadLetterStore.get} and `delete`. */
  readonly id: string;
  /** The partition it was read from. */
  readonly partitionId: string;
  /** Its sequence number. */
  readonly sequenceNumber: number;
  /** Its offset. */
  readonly offset: string;
  /** When the service enqueued it. */
  readonly enqueuedTime: Date;
  /** The name of the handler's failure (`TypeError`, `EphError`). */
  readonly errorName: string;
  /** The failure's message, at most 256 characters. */
  readonly errorMessage: string;
  /** The host that gave up on it. */
  readonly hostName: string;
  /** When it was dead-lettered. */
  readonly deadLetteredAt: Date;
}

/** Options of {@link DeadLetterStore.list}. */
export interface ListDeadLettersOptions extends OperationOptions {
  /** Only this partition's dead letters. Default: every partition of the scope. */
  partitionId?: string;
}

/**
 * Where a host keeps the events it gave up on, per scope (namespace, hub, consumer group), like
 * checkpoints. `@eph/core` implements it once ({@link DocumentDeadLetterStore}) over a smaller contract
 * a store adapter offers ({@link DeadLetterDocuments}); `BlobDeadLetterStore` and
 * `MemoryDeadLetterStore` are the adapters eph ships.
 */
export interface DeadLetterStore extends StoreProvisioner {
  /** Tells the store which host and scope it serves; call before any other method but provisioning. */
  setEventProcessorHost(info: HostInfo): void;
  /** Stores `letter`, replacing one of the same partition and sequence number; returns its id. */
  add(letter: DeadLetter, options?: OperationOptions): Promise<string>;
  /** The scope's dead letters, by partition then sequence number. */
  list(options?: ListDeadLettersOptions): Promise<DeadLetterSummary[]>;
  /** One dead letter in full, or `undefined` when there is none with that id. */
  get(id: string, options?: OperationOptions): Promise<DeadLetter | undefined>;
  /** Deletes one dead letter; `false` when there was none. */
  delete(id: string, options?: OperationOptions): Promise<boolean>;
  /** Releases what the store holds (not the caller's clients). */
  close(): Promise<void>;
}

/** Which dead letter, in which scope. */
export interface DeadLetterKey {
  /** The namespace, hub and consumer group. */
  readonly scope: RecordScope;
  /** The partition. */
  readonly partitionId: string;
  /** The sequence number. */
  readonly sequenceNumber: number;
}

/** A stored dead letter: the fields to list it by and its document (JSON text). */
export interface StoredDeadLetter {
  /** Flat string fields (names as in {@link RecordFields}): what a listing returns. */
  readonly fields: RecordFields;
  /** The whole dead letter, body included, as JSON text. */
  readonly document: string;
}

/**
 * The contract a dead-letter adapter implements: documents with listable fields, in a scope. No
 * conditions are needed (a dead letter is written once, by the partition's owner, and writing it again
 * is the same content). Errors as in the record contract: `StoreNotFound`, `StoreUnavailable`,
 * `Aborted`, `InvalidOption`, always as `EphError`.
 */
export interface DeadLetterDocuments extends StoreProvisioner {
  /** Checks that the scope can be stored (`InvalidOption` naming what cannot). */
  setEventProcessorHost?(info: HostInfo): void;
  /** Writes the document, replacing any of the same key. */
  put(key: DeadLetterKey, stored: StoredDeadLetter, options?: OperationOptions): Promise<void>;
  /** The document and fields, or `undefined`. */
  get(key: DeadLetterKey, options?: OperationOptions): Promise<StoredDeadLetter | undefined>;
  /** The fields of every document of the scope (of one partition when given), in any order. */
  list(scope: RecordScope, partitionId: string | undefined, options?: OperationOptions): Promise<RecordFields[]>;
  /** Deletes the document; `false` when there was none. */
  delete(key: DeadLetterKey, options?: OperationOptions): Promise<boolean>;
  /** Releases what the adapter holds. */
  close(): Promise<void>;
}
