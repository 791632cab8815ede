import { createClientLogger } from "@azure/logger";
import type { ContainerClient } from "@azure/storage-blob";
import {
  BlobDeadLetterDocuments,
  type ConnectionOptions,
  clientSecrets,
  containerClientFromConnectionString,
} from "@eph/blob-common";
import { checkedLogger, checkOptions, DocumentDeadLetterStore, type Logger } from "@eph/core";

/**
 * Options of {@link BlobDeadLetterStore}: `logger`, where skipped blobs and transient failures are
 * logged (`console` works), default `createClientLogger("eph:dead-letters-blob")` from `@azure/logger`.
 */
export interface BlobDeadLetterStoreOptions {
  /** Where the store logs. */
  logger?: Logger | Console;
}

/** Options of {@link BlobDeadLetterStore.fromConnectionString}: the store's, `clientOptions` and `allowInsecureConnection`. */
export interface BlobDeadLetterStoreConnectionOptions extends BlobDeadLetterStoreOptions, ConnectionOptions {}

/**
 * A {@link DeadLetterStore} in Azure Blob Storage through `@azure/storage-blob`: one block blob per
 * event, `<namespace>/<hub>/<consumer group>/deadletter/<partition>/<sequence number>`, whose content
 * is the event as JSON (body and properties with their types) and whose metadata hold what a listing
 * shows, so `list()` reads no bodies. It may share the checkpoints' container.
 * `new BlobDeadLetterStore(containerClient, options)` wraps a `ContainerClient` (credentials, retry and
 * transport stay the caller's); `BlobDeadLetterStore.fromConnectionString(connectionString,
 * containerName, options)` builds one.
 */
export class BlobDeadLetterStore extends DocumentDeadLetterStore {
  readonly #documents: BlobDeadLetterDocuments;

  /** A store in `containerClient`'s container (`InvalidOption` for a wrong client or unknown options). */
  constructor(containerClient: ContainerClient, options?: BlobDeadLetterStoreOptions) {
    const o = checkOptions(options, ["logger"], "BlobDeadLetterStore");
    const logger = checkedLogger(o.logger ?? createClientLogger("eph:dead-letters-blob"), "options.logger");
    const documents = new BlobDeadLetterDocuments(containerClient, logger);
    // A handler's error may quote the storage key or SAS it was given: they are never stored.
    super({ store: documents, logger, name: "BlobDeadLetterStore", secrets: clientSecrets(containerClient) });
    this.#documents = documents;
  }

  /**
   * A store for container `containerName` of the account a storage connection string names (account
   * key, SAS or `UseDevelopmentStorage=true`); the string is never quoted in errors.
   */
  static fromConnectionString(
    connectionString: string,
    containerName: string,
    options?: BlobDeadLetterStoreConnectionOptions,
  ): BlobDeadLetterStore {
    const { clientOptions, allowInsecureConnection, ...rest } = checkOptions(
      options,
      ["logger", "clientOptions", "allowInsecureConnection"],
      "BlobDeadLetterStore.fromConnectionString",
    );
    const client = containerClientFromConnectionString(connectionString, containerName, {
      clientOptions,
      allowInsecureConnection,
    });
    return new BlobDeadLetterStore(client, rest);
  }

  /** The container this store uses. */
  get containerName(): string {
    return this.#documents.containerName;
  }
}
