import { createClientLogger } from "@azure/logger";
import type { ContainerClient } from "@azure/storage-blob";
import { blobAdapter, type ConnectionOptions, containerNameOf } from "@eph/blob-common";
import { type AdapterLogging, type AdapterRole, leaserClass } from "@eph/core";
import { LeaseRecords } from "./lease-records.js";

/**
 * Options of {@link BlobLeaser}: `logger`, where the leaser logs (lost races, skipped blobs, transient
 * failures; `console` works), default `createClientLogger("eph:leaser-blob")` from `@azure/logger`,
 * controlled by `AZURE_LOG_LEVEL`.
 */
export interface BlobLeaserOptions extends AdapterLogging {}

/** Options of {@link BlobLeaser.fromConnectionString}: the leaser's, `clientOptions` and `allowInsecureConnection`. */
export interface BlobLeaserConnectionOptions extends BlobLeaserOptions, ConnectionOptions {}

const role: AdapterRole<ContainerClient, BlobLeaserOptions> = {
  name: "BlobLeaser",
  options: [],
  logger: () => createClientLogger("eph:leaser-blob"),
  configure: (containerClient, { logger }) => ({ store: new LeaseRecords(containerClient, { logger }) }),
};

/**
 * A {@link Leaser} over Azure Blob Storage through `@azure/storage-blob`: core's lease protocol over a
 * {@link BlobRecordStore}. Each lease is one empty block blob
 * `<namespace>/<hub>/<consumer group>/eph-lease/<partition id>` (names lower-cased) whose metadata hold
 * `format`, `epoch` and `owner` (eph 0.1's, without `format`, are read too); its ETag is the lease version.
 * Every change is conditional on the ETag, so the epoch moves with the owner in one atomic write, and
 * observers judge expiry by how long the ETag stays unchanged on their own clock. Native blob leases are
 * not used: they would cost a second call per renewal and put expiry on the server's clock. One instance
 * per host. `new BlobLeaser(containerClient, options)` wraps a `ContainerClient`: the caller keeps its
 * own credentials, retry and transport settings; `BlobLeaser.fromConnectionString(connectionString,
 * containerName, options)` builds one (see `@eph/blob-common`).
 */
export class BlobLeaser extends leaserClass(...blobAdapter(role)) {
  /** The container this leaser uses. */
  get containerName(): string {
    return containerNameOf(this.records);
  }
}
