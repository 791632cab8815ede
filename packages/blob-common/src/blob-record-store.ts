import type { BlobItem, BlockBlobClient, ContainerClient } from "@azure/storage-blob";
import {
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
  type StoreAnswer,
  storeCall,
  type VersionedRecord,
  type WriteOutcome,
  written,
} from "@eph/core";
import { recordBlobName, scopePrefix, unescapeId } from "./blob-names.js";
import { classifyFailure } from "./blob-request-error.js";
import { validateContainerClient } from "./connection-string.js";
import { containerExists, ensureContainer } from "./container-provisioning.js";
import { decodeMetadata, encodeMetadata } from "./metadata-values.js";

/**
 * The folder of each kind under `<namespace>/<hub>/<consumer group>/`. Host records sit inside the lease
 * folder, so one listing returns both; `!hosts` cannot be a lease's name (an escaped id holds `!` only
 * before four hex digits). Checkpoints are in `checkpoint/`, where KEDA and the official store read them.
 */
export const ephFolders: Readonly<Record<RecordKind, string>> = {
  lease: "eph-lease",
  host: "eph-lease/!hosts",
  checkpoint: "checkpoint",
};

/** Options of {@link BlobRecordStore}. */
export interface BlobRecordStoreOptions {
  /** Where skipped blobs and transient failures are logged (a checked logger). */
  readonly logger: Logger;
  /** Folders of kinds not kept in {@link ephFolders}, e.g. `{ checkpoint: "eph-checkpoint" }`. */
  readonly folders?: Partial<Record<RecordKind, string>> | undefined;
}

/** A listing page holds at most 5 000 blobs: one call lists every partition of the largest hub. */
const PAGE_SIZE = 5000;

/** Most record-blob clients kept by one store. */
const MAX_CACHED_CLIENTS = 20_000;

/** What a version of this store looks like (a quoted ETag); anything else, `*` above all, matches nothing. */
const ETAG = /^"[^"*]+"$/;

/**
 * A {@link RecordStore} in one container of Azure Blob Storage through `@azure/storage-blob`. A record is
 * one empty block blob `<namespace>/<hub>/<consumer group>/<folder>/<id>` (names lower-cased, the id
 * escaped: see `escapeId`) whose metadata hold its fields (values percent-encoded where headers cannot
 * carry them), its version the ETag. Create is `If-None-Match: *`, replace a Set Blob Metadata with
 * `If-Match`, list one List Blobs with metadata per 5 000 records. Native blob leases are not used.
 */
export class BlobRecordStore implements RecordStore {
  // Private fields stay out of util.inspect: the client holds the account key or SAS.
  readonly #container: ContainerClient;
  /**
   * One client per record blob, built once: the SDK parses the blob's URL on every construction,
   * which a profile at 1 s renewal showed as the storage SDK's costliest frame.
   */
  readonly #blobs = new Map<string, BlockBlobClient>();
  readonly #logger: Logger;
  readonly #folders: Record<RecordKind, string>;

  /** Uses `containerClient` (`InvalidOption` unless a `ContainerClient`); it stays the caller's. */
  constructor(containerClient: ContainerClient, options: BlobRecordStoreOptions) {
    this.#container = validateContainerClient(containerClient);
    this.#logger = options.logger;
    this.#folders = { ...ephFolders, ...options.folders };
  }

  /** The container's name. */
  get containerName(): string {
    return this.#container.containerName;
  }

  /** Checks that the scope fits blob names and the host name a lease owner (`InvalidOption` naming what does not). */
  setEventProcessorHost(info: HostInfo): void {
    scopePrefix(info);
    let owner: string;
    try {
      owner = encodeURIComponent(info.hostName);
    } catch {
      throw new EphError("InvalidOption", "HostInfo.hostName is not valid Unicode text (it holds a lone surrogate).");
    }
    if (owner.length > 1024) throw new EphError("InvalidOption", "HostInfo.hostName is too long for a lease owner.");
  }

  /** Whether the container exists, asked with a one-blob listing (which a container-scoped SAS may do). */
  async storeExists(options?: OperationOptions): Promise<boolean> {
    const exists = await this.#call("storeExists", undefined, options, (signal) =>
      containerExists(this.#container, signal),
    );
    return exists === true;
  }

  /** Creates the container if missing; many hosts at once all succeed, and so does a SAS that may not create it once it exists. */
  async ensureStore(options?: OperationOptions): Promise<void> {
    await this.#call("ensureStore", undefined, options, (signal) => ensureContainer(this.#container, signal));
  }

  /** Deletes the container and every record in it, of every hub that shares it; no error if it does not exist. */
  async deleteStore(options?: OperationOptions): Promise<void> {
    await this.#call("deleteStore", undefined, options, (abortSignal) =>
      this.#container.deleteIfExists({ abortSignal }),
    );
  }

  /** @inheritdoc */
  async read(key: RecordKey, options?: OperationOptions): Promise<VersionedRecord | undefined> {
    const name = this.#name(key);
    const blob = await this.#call("read", key, options, (abortSignal) =>
      this.#blob(name).getProperties({ abortSignal }),
    );
    if (typeof blob === "string") return undefined;
    const fields = decodeMetadata(blob.metadata);
    if (typeof fields === "string" || !blob.etag) {
      const problem = typeof fields === "string" ? fields : "the service returned no ETag";
      throw new EphError("CorruptRecord", `The ${key.kind} blob "${name}" is corrupt: ${problem}.`, {
        partitionId: key.id,
      });
    }
    return { kind: key.kind, id: key.id, fields, version: quoted(blob.etag) };
  }

  /** @inheritdoc */
  async create(key: RecordKey, fields: RecordFields, options?: OperationOptions): Promise<WriteOutcome> {
    const [name, metadata] = [this.#name(key), encodeMetadata(fields, key.id)];
    const conditions = { ifNoneMatch: "*" };
    return outcomeOf(
      await this.#call("create", key, options, (abortSignal) =>
        this.#blob(name).upload("", 0, { metadata, conditions, abortSignal }),
      ),
    );
  }

  /** @inheritdoc */
  async replace(
    key: RecordKey,
    fields: RecordFields,
    expectedVersion: string,
    options?: OperationOptions,
  ): Promise<WriteOutcome> {
    const [name, metadata] = [this.#name(key), encodeMetadata(fields, key.id)];
    if (!ETAG.test(expectedVersion)) return conflict;
    const conditions = { ifMatch: expectedVersion };
    return outcomeOf(
      await this.#call("replace", key, options, (abortSignal) =>
        this.#blob(name).setMetadata(metadata, { conditions, abortSignal }),
      ),
    );
  }

  /** Every record of the kinds in the scope: one listing with metadata under their common folder, 5 000 blobs a page. */
  async list(scope: RecordScope, options: ListRecordsOptions): Promise<VersionedRecord[]> {
    const base = scopePrefix(scope);
    if (options.kinds.length === 0) return [];
    const folders = (Object.keys(this.#folders) as RecordKind[]).map(
      (kind): Folder => ({
        kind,
        prefix: `${base}${this.#folders[kind]}/`,
        wanted: options.kinds.includes(kind),
      }),
    );
    const prefix = commonPrefix(folders.filter((f) => f.wanted).map((f) => f.prefix));
    const listed = (blob: BlobItem): ListedItem => {
      const [folder, id] = recordOf(folders, blob.name);
      const fields = decodeMetadata(blob.metadata);
      if (folder === undefined || id === undefined)
        return { skipped: `the blob "${blob.name}": its name is not a record's` };
      if (typeof fields === "string" || !blob.properties.etag) {
        return {
          skipped: `the ${folder.kind} blob "${blob.name}": ${typeof fields === "string" ? fields : "it has no ETag"}`,
        };
      }
      return folder.wanted ? { kind: folder.kind, id, fields, version: quoted(blob.properties.etag) } : undefined;
    };
    let records: VersionedRecord[] = [];
    await this.#call("list", undefined, options, async (abortSignal) => {
      const pages = this.#container
        .listBlobsFlat({ prefix, includeMetadata: true, abortSignal })
        .byPage({ maxPageSize: PAGE_SIZE });
      records = await listedRecords(pages, (page) => page.segment.blobItems, listed, this.#logger);
    });
    return records;
  }

  /** @inheritdoc */
  async delete(key: RecordKey, expectedVersion?: string, options?: OperationOptions): Promise<DeleteOutcome> {
    const name = this.#name(key);
    if (expectedVersion !== undefined && !ETAG.test(expectedVersion)) return conflict;
    const conditions = expectedVersion === undefined ? {} : { ifMatch: expectedVersion };
    const outcome = await this.#call("delete", key, options, (abortSignal) =>
      this.#blob(name).delete({ conditions, abortSignal }),
    );
    // Without a condition, a blob that is already gone is deleted all the same.
    return typeof outcome === "string" && expectedVersion !== undefined ? conflict : deleted;
  }

  /** Nothing to release: the client is the caller's. */
  async close(): Promise<void> {}

  #blob(name: string): BlockBlobClient {
    let blob = this.#blobs.get(name);
    if (blob === undefined) {
      // A host touches its leases, checkpoints and its own liveness record; the bound only keeps a
      // long-lived process that reads many scopes from growing without end.
      if (this.#blobs.size >= MAX_CACHED_CLIENTS) this.#blobs.clear();
      blob = this.#container.getBlockBlobClient(name);
      this.#blobs.set(name, blob);
    }
    return blob;
  }

  #name(key: RecordKey): string {
    return recordBlobName(`${scopePrefix(key.scope)}${this.#folders[key.kind]}/`, key.id);
  }

  /**
   * Runs one SDK call through core's `storeCall`: a missing blob, an existing one and a failed condition
   * come back as the caller's answer; anything else is thrown as `Aborted`, `StoreNotFound` or `StoreUnavailable`.
   */
  #call<T>(
    operation: string,
    key: RecordKey | undefined,
    options: OperationOptions | undefined,
    request: (abortSignal: AbortSignal | undefined) => Promise<T>,
  ): Promise<T | StoreAnswer> {
    const site = { operation, store: `container "${this.containerName}"`, partitionId: key?.id };
    return storeCall(options, this.#logger, site, request, classifyFailure);
  }
}

/** Listings return ETags bare (`0x8D…`), single-blob responses quoted: versions are always quoted. */
function quoted(etag: string): string {
  return etag.startsWith('"') ? etag : `"${etag}"`;
}

function outcomeOf(response: { etag?: string | undefined } | StoreAnswer): WriteOutcome {
  if (typeof response === "string") return conflict;
  if (!response.etag) throw new EphError("StoreUnavailable", "The blob service answered a write without an ETag.");
  return written(quoted(response.etag));
}

interface Folder {
  readonly kind: RecordKind;
  readonly prefix: string;
  readonly wanted: boolean;
}

/** The folder and id a listed blob name stands for; `[undefined, undefined]` when it is no record's. */
function recordOf(folders: readonly Folder[], name: string): [Folder, string] | [undefined, undefined] {
  for (const folder of folders) {
    const id = name.startsWith(folder.prefix) ? unescapeId(name.slice(folder.prefix.length)) : undefined;
    if (id !== undefined) return [folder, id];
  }
  return [undefined, undefined];
}

function commonPrefix(prefixes: readonly string[]): string {
  return prefixes.reduce((common, prefix) => {
    let i = 0;
    while (i < common.length && common[i] === prefix[i]) i++;
    return common.slice(0, i);
  });
}
