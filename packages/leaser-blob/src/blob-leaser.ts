import { createClientLogger } from "@azure/logger";
import type { ContainerClient } from "@azure/storage-blob";
import { type ConnectionOptions, containerClientFromConnectionString } from "@eph/blob-common";
import { checkedLogger, checkOptions, type Logger, RecordLeaser } from "@eph/core";
import { LeaseRecords } from "./lease-records.js";

/** Options of {@link BlobLeaser}. */
export interface BlobLeaserOptions {
  /**
   * Where the leaser logs (lost races, skipped blobs, transient failures); `console` works. Defaults to
   * `createClientLogger("eph:leaser-blob")` from `@azure/logger`, controlled by `AZURE_LOG_LEVEL`.
   */
  logger?: Logger | Console;
}

/** Options of {@link BlobLeaser.fromConnectionString}. */
export interface BlobLeaserConnectionOptions extends BlobLeaserOptions, ConnectionOptions {}

/**
 * A {@link Leaser} over Azure Blob Storage through `@azure/storage-blob`: core's lease protocol over a
 * {@link BlobRecordStore}. Each lease is one empty block blob
 * `<namespace>/<hub>/<consumer group>/eph-lease/<partition id>` (names lower-cased) whose metadata hold
 * `format`, `epoch` and `owner` (eph 0.1's, without `format`, are read too); its ETag is the lease version. Every change is conditional on the ETag,
 * so the epoch moves with the owner in one atomic write, and observers judge expiry by how long the ETag
 * stays unchanged on their own clock. Native blob leases are not used: they would cost a second call per
 * renewal and put expiry on the server's clock. One instance per host.
 */
export class BlobLeaser extends RecordLeaser {
  /** The container this leaser uses. */
  readonly containerName: string;

  /** Wraps a `ContainerClient`; the caller keeps its own credentials, retry and transport settings. */
  constructor(containerClient: ContainerClient, options?: BlobLeaserOptions) {
    const o = checkOptions(options, ["logger"], "BlobLeaser");
    const logger = checkedLogger(o.logger ?? createClientLogger("eph:leaser-blob"), "options.logger");
    const store = new LeaseRecords(containerClient, { logger });
    super({ store, logger, name: "BlobLeaser" });
    this.containerName = store.containerName;
  }

  /**
   * Creates a leaser for container `containerName` of the account a storage connection string names
   * (account key, SAS, or `UseDevelopmentStorage=true`). The container name is checked before any
   * network call; plain-http endpoints are accepted only on loopback (Azurite) unless
   * `allowInsecureConnection` is set. The connection string never appears in errors or logs.
   */
  static fromConnectionString(
    connectionString: string,
    containerName: string,
    options?: BlobLeaserConnectionOptions,
  ): BlobLeaser {
    const known = ["logger", "clientOptions", "allowInsecureConnection"] as const;
    const { clientOptions, allowInsecureConnection, ...rest } = checkOptions(options, [...known], "BlobLeaser");
    const client = containerClientFromConnectionString(connectionString, containerName, {
      clientOptions,
      allowInsecureConnection,
    });
    return new BlobLeaser(client, rest);
  }
}
