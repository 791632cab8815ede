import type { ContainerClient } from "@azure/storage-blob";
import {
  type ClassifiedFailure,
  type DeadLetterDocuments,
  type DeadLetterKey,
  type HostInfo,
  type Logger,
  type OperationOptions,
  type RecordFields,
  type RecordScope,
  type StoreAnswer,
  type StoredDeadLetter,
  storeCall,
} from "@eph/core";
import { escapeId, recordBlobName, scopePrefix } from "./blob-names.js";
import { classifyFailure } from "./blob-request-error.js";
import { validateContainerClient } from "./connection-string.js";
import { containerExists, ensureContainer } from "./container-provisioning.js";
import { decodeMetadata, encodeMetadata } from "./metadata-values.js";

/** Sequence numbers are 64-bit: padded to 19 digits, blob names list in sequence order within a partition. */
const SEQUENCE_DIGITS = 19;

/**
 * {@link DeadLetterDocuments} in one container: a dead letter is one block blob
 * `<namespace>/<hub>/<consumer group>/deadletter/<partition>/<sequence number>` holding the JSON document,
 * its metadata the fields a listing shows (List Blobs with metadata, 5 000 a page, no body read).
 */
export class BlobDeadLetterDocuments implements DeadLetterDocuments {
  // Private fields stay out of util.inspect: the client holds the account key or SAS.
  readonly #container: ContainerClient;
  readonly #logger: Logger;

  /** Uses `containerClient` (`InvalidOption` unless a `ContainerClient`); it stays the caller's. */
  constructor(containerClient: ContainerClient, logger: Logger) {
    this.#container = validateContainerClient(containerClient);
    this.#logger = logger;
  }

  /** The container's name. */
  get containerName(): string {
    return this.#container.containerName;
  }

  /** Checks that the scope fits blob names (`InvalidOption` naming what does not). */
  setEventProcessorHost(info: HostInfo): void {
    scopePrefix(info);
  }

  async storeExists(options?: OperationOptions): Promise<boolean> {
    return (await this.#call("storeExists", options, (signal) => containerExists(this.#container, signal))) === true;
  }

  async ensureStore(options?: OperationOptions): Promise<void> {
    await this.#call("ensureStore", options, (signal) => ensureContainer(this.#container, signal));
  }

  async deleteStore(options?: OperationOptions): Promise<void> {
    await this.#call("deleteStore", options, (abortSignal) => this.#container.deleteIfExists({ abortSignal }));
  }

  async put(key: DeadLetterKey, stored: StoredDeadLetter, options?: OperationOptions): Promise<void> {
    const metadata = encodeMetadata(stored.fields, key.partitionId);
    const body = Buffer.from(stored.document, "utf8");
    await this.#call("putDeadLetter", options, (abortSignal) =>
      this.#container.getBlockBlobClient(this.#name(key)).upload(body, body.length, {
        metadata,
        blobHTTPHeaders: { blobContentType: "application/json; charset=utf-8" },
        abortSignal,
      }),
    );
  }

  async get(key: DeadLetterKey, options?: OperationOptions): Promise<StoredDeadLetter | undefined> {
    const blob = this.#container.getBlockBlobClient(this.#name(key));
    // One Get Blob: the body and the metadata come in one answer.
    const response = await this.#call("getDeadLetter", options, async (abortSignal) => {
      const download = await blob.download(0, undefined, { abortSignal });
      const chunks: Buffer[] = [];
      for await (const chunk of download.readableStreamBody ?? []) chunks.push(Buffer.from(chunk as Uint8Array));
      return { metadata: download.metadata, document: Buffer.concat(chunks).toString("utf8") };
    });
    if (typeof response === "string") return undefined;
    const fields = decodeMetadata(response.metadata);
    return { fields: typeof fields === "string" ? {} : fields, document: response.document };
  }

  async list(scope: RecordScope, partitionId: string | undefined, options?: OperationOptions): Promise<RecordFields[]> {
    const prefix = `${this.#folder(scope)}${partitionId === undefined ? "" : `${escapeId(partitionId)}/`}`;
    const all: RecordFields[] = [];
    await this.#call("listDeadLetters", options, async (abortSignal) => {
      const pages = this.#container
        .listBlobsFlat({ prefix, includeMetadata: true, abortSignal })
        .byPage({ maxPageSize: 5000 });
      for await (const page of pages) {
        for (const item of page.segment.blobItems) {
          const fields = decodeMetadata(item.metadata);
          if (typeof fields === "string") this.#logger.warning(`eph: skipped blob "${item.name}": ${fields}.`);
          else all.push(fields);
        }
      }
    });
    return all;
  }

  async delete(key: DeadLetterKey, options?: OperationOptions): Promise<boolean> {
    const response = await this.#call("deleteDeadLetter", options, (abortSignal) =>
      this.#container.getBlockBlobClient(this.#name(key)).deleteIfExists({ abortSignal }),
    );
    return typeof response !== "string" && response.succeeded;
  }

  /** Nothing to release: the client is the caller's. */
  async close(): Promise<void> {}

  #folder(scope: RecordScope): string {
    return `${scopePrefix(scope)}deadletter/`;
  }

  #name(key: DeadLetterKey): string {
    const sequence = String(key.sequenceNumber).padStart(SEQUENCE_DIGITS, "0");
    return recordBlobName(`${this.#folder(key.scope)}${escapeId(key.partitionId)}/`, sequence);
  }

  /** One SDK call through core's `storeCall`: a missing blob is the answer; any other failure becomes core's error. */
  #call<T>(
    operation: string,
    options: OperationOptions | undefined,
    request: (abortSignal: AbortSignal | undefined) => Promise<T>,
  ): Promise<T | StoreAnswer> {
    const site = { operation, store: `container "${this.containerName}"` };
    const missing = (failure: ClassifiedFailure) => failure.kind === "recordNotFound";
    return storeCall(options, this.#logger, site, request, classifyFailure, missing);
  }
}
