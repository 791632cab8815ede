import { createClientLogger } from "@azure/logger";
import type { ContainerClient } from "@azure/storage-blob";
import {
  type BlobScope,
  blobScope,
  type ConnectionOptions,
  ContainerStore,
  classifyFailure,
  containerClientFromConnectionString,
  partitionBlobName,
  partitionIdOf,
  type StoreFailure,
} from "@eph/blob-common";
import {
  type AcquireLeaseOptions,
  EphError,
  type HostInfo,
  isEphError,
  type LeaseMarker,
  type Leaser,
  type Logger,
  type OperationOptions,
  throwIfAborted,
} from "@eph/core";
import { LEASE_SEGMENT, type LeaseState, leaseMetadata, normalizeEtag, parseLease } from "./lease-metadata.js";

/** Options of {@link BlobLeaser}. */
export interface BlobLeaserOptions {
  /**
   * Where the leaser logs (lost races, skipped blobs, transient failures). Defaults to
   * `createClientLogger("eph:leaser-blob")` from `@azure/logger`, controlled by `AZURE_LOG_LEVEL`.
   */
  logger?: Logger;
}

/** Options of {@link BlobLeaser.fromConnectionString}. */
export interface BlobLeaserConnectionOptions extends BlobLeaserOptions, ConnectionOptions {}

// A listing page holds at most 5000 blobs: one call covers every partition of the largest hub.
const LIST_PAGE_SIZE = 5000;

/** Set by `setEventProcessorHost`; the prefix is `<namespace>/<hub>/<consumer group>/eph-lease/`. */
type Configured = BlobScope;

interface Held {
  readonly etag: string;
  readonly epoch: number;
}

/**
 * A {@link Leaser} over Azure Blob Storage through `@azure/storage-blob`.
 *
 * Each partition's lease is one empty block blob `<namespace>/<hub>/<consumer group>/eph-lease/<partition id>`
 * (namespace, hub and consumer group lower-cased) whose metadata holds `epoch` and, while owned, `owner`.
 * Ownership changes only through ETag conditions: creation is `If-None-Match: *`, every change a Set Blob
 * Metadata with `If-Match`, so the epoch moves with the owner in one atomic write. The ETag is the lease
 * version; renewing rewrites the metadata, which changes it, and observers judge expiry by how long it
 * stays unchanged on their own clock. Native blob leases are not used: they would cost a second call per
 * renewal and put expiry on the server's clock.
 */
export class BlobLeaser implements Leaser {
  private readonly store: ContainerStore;
  private readonly container: ContainerClient;
  private readonly logger: Logger;
  private configured: Configured | undefined;
  private closed = false;
  /** Leases this instance holds, with the ETag of its own last write: renew and release are conditional on it. */
  private readonly held = new Map<string, Held>();
  /** The last state seen of each lease, so acquiring with an `expectedVersion` from a scan needs no read. */
  private readonly seen = new Map<string, LeaseMarker>();

  /** Wraps a `ContainerClient`; the caller keeps its own credentials, retry and transport settings. */
  constructor(containerClient: ContainerClient, options: BlobLeaserOptions = {}) {
    this.logger = options.logger ?? createClientLogger("eph:leaser-blob");
    this.store = new ContainerStore(containerClient, this.logger);
    this.container = this.store.container;
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
    options: BlobLeaserConnectionOptions = {},
  ): BlobLeaser {
    const { clientOptions, allowInsecureConnection, ...leaserOptions } = options;
    const container = containerClientFromConnectionString(connectionString, containerName, {
      clientOptions,
      allowInsecureConnection,
    });
    return new BlobLeaser(container, leaserOptions);
  }

  /** The container this leaser uses. */
  get containerName(): string {
    return this.container.containerName;
  }

  /** Tells the leaser its host name, namespace, event hub and consumer group. Call before anything else. */
  setEventProcessorHost(info: HostInfo): void {
    this.assertOpen();
    const hostName: unknown = info?.hostName;
    if (typeof hostName !== "string" || hostName === "") {
      throw new EphError("InvalidOption", "HostInfo.hostName must be a non-empty string.");
    }
    let encoded: string;
    try {
      encoded = encodeURIComponent(hostName);
    } catch {
      throw new EphError("InvalidOption", "HostInfo.hostName is not valid Unicode text (it holds a lone surrogate).");
    }
    if (encoded.length > 1024) {
      throw new EphError("InvalidOption", "HostInfo.hostName is too long to be stored as a lease owner.");
    }
    const configured = blobScope(info, LEASE_SEGMENT);
    if (this.configured?.prefix !== configured.prefix || this.configured.info.hostName !== hostName) {
      this.held.clear();
      this.seen.clear();
    }
    this.configured = configured;
  }

  /** True when the container exists (asked with a one-blob listing, which a container-scoped SAS may do). */
  async storeExists(options: OperationOptions = {}): Promise<boolean> {
    this.assertOpen();
    return this.store.exists(options.abortSignal);
  }

  /**
   * Creates the container if it is missing; concurrent calls from many hosts all succeed. A credential
   * that may not create containers (a SAS scoped to the container) succeeds when the container exists.
   */
  async ensureStore(options: OperationOptions = {}): Promise<void> {
    this.assertOpen();
    await this.store.ensure(options.abortSignal);
  }

  /**
   * Deletes the container and everything in it, including the leases and checkpoints of every other hub
   * and consumer group that shares it. No error if it does not exist.
   */
  async deleteStore(options: OperationOptions = {}): Promise<void> {
    this.assertOpen();
    await this.store.delete(options.abortSignal);
    this.held.clear();
    this.seen.clear();
  }

  /**
   * Every lease of this namespace, hub and consumer group: one List Blobs call with metadata (one per
   * 5000 leases). Blobs under the prefix that are not valid leases are skipped and logged.
   */
  async getLeases(options: OperationOptions = {}): Promise<LeaseMarker[]> {
    const { prefix } = this.config();
    throwIfAborted(options.abortSignal);
    const leases: LeaseMarker[] = [];
    try {
      const pages = this.container
        .listBlobsFlat({ prefix, includeMetadata: true, abortSignal: options.abortSignal })
        .byPage({ maxPageSize: LIST_PAGE_SIZE });
      for await (const page of pages) {
        for (const blob of page.segment.blobItems) {
          const partitionId = partitionIdOf(prefix, blob.name);
          if (partitionId === undefined) {
            this.logger.warning(`getLeases skipped blob "${blob.name}": its name is not <prefix><partition id>.`);
            continue;
          }
          try {
            const lease = parseLease(blob.name, partitionId, blob.metadata, blob.properties.etag);
            this.seen.set(partitionId, lease);
            leases.push({ ...lease });
          } catch (error) {
            this.seen.delete(partitionId);
            this.logger.warning(`getLeases skipped a blob: ${(error as Error).message}`);
          }
        }
      }
    } catch (error) {
      throw this.fail(classifyFailure(error, options.abortSignal), "getLeases", undefined, options.abortSignal);
    }
    return leases;
  }

  /**
   * Returns the partition's lease, creating it unowned at epoch 0 if absent. Creates first, with
   * `If-None-Match: *` (two hosts can never both create it): the balancer ensures only leases its scan
   * did not list, so the usual case is one call; an existing lease costs a second call to read it.
   */
  async ensureLease(partitionId: string, options: OperationOptions = {}): Promise<LeaseMarker> {
    const name = this.blobName(partitionId);
    throwIfAborted(options.abortSignal);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const response = await this.container.getBlockBlobClient(name).upload("", 0, {
          metadata: leaseMetadata({ epoch: 0, owner: "" }),
          conditions: { ifNoneMatch: "*" },
          abortSignal: options.abortSignal,
        });
        const created = { partitionId, epoch: 0, owner: "", version: normalizeEtag(response.etag ?? "") };
        this.seen.set(partitionId, created);
        return { ...created };
      } catch (error) {
        const failure = classifyFailure(error, options.abortSignal);
        if (failure.kind !== "blobExists" && failure.kind !== "conditionFailed") {
          throw this.fail(failure, "ensureLease", partitionId, options.abortSignal);
        }
      }
      const existing = await this.read(partitionId, "ensureLease", options.abortSignal);
      if (existing) return existing;
      // Deleted between our create and our read: try once more.
    }
    throw new EphError("LeaseNotFound", `The lease of partition ${partitionId} was deleted while ensuring it.`, {
      partitionId,
    });
  }

  /** Deletes the partition's lease blob, whoever owns it. No error if it does not exist. */
  async deleteLease(partitionId: string, options: OperationOptions = {}): Promise<void> {
    const name = this.blobName(partitionId);
    throwIfAborted(options.abortSignal);
    try {
      await this.container.getBlockBlobClient(name).delete({ abortSignal: options.abortSignal });
    } catch (error) {
      const failure = classifyFailure(error, options.abortSignal);
      if (failure.kind !== "blobNotFound") throw this.fail(failure, "deleteLease", partitionId, options.abortSignal);
    }
    this.held.delete(partitionId);
    this.seen.delete(partitionId);
  }

  /**
   * Takes the lease: owner = this host, epoch + 1, in one Set Blob Metadata conditional on
   * `expectedVersion` (or on the ETag just read when none is given). When the version came from this
   * leaser's last scan no read is needed, so a scan-then-acquire costs one call.
   */
  async acquireLease(partitionId: string, options: AcquireLeaseOptions = {}): Promise<LeaseMarker> {
    const { info } = this.config();
    const name = this.blobName(partitionId);
    const { expectedVersion, abortSignal } = options;
    if (expectedVersion !== undefined && (typeof expectedVersion !== "string" || expectedVersion === "")) {
      throw new EphError("InvalidOption", "expectedVersion must be a non-empty string when given.", { partitionId });
    }
    throwIfAborted(abortSignal);
    // Listings return ETags bare, single-blob responses quoted: compare them in one form.
    const expected = expectedVersion === undefined ? undefined : normalizeEtag(expectedVersion);
    let current = this.seen.get(partitionId);
    if (expected === undefined || current?.version !== expected) {
      current = await this.read(partitionId, "acquireLease", abortSignal);
      if (!current) {
        throw new EphError("LeaseNotFound", `Partition ${partitionId} has no lease (call ensureLease first).`, {
          partitionId,
        });
      }
      if (expected !== undefined && current.version !== expected) {
        throw this.lost(partitionId, "acquireLease", "it changed since the version the caller observed");
      }
    }
    const epoch = current.epoch + 1;
    const etag = await this.conditionalWrite(
      name,
      { epoch, owner: info.hostName },
      current.version,
      partitionId,
      "acquireLease",
      abortSignal,
    );
    this.held.set(partitionId, { etag, epoch });
    this.seen.set(partitionId, { partitionId, owner: info.hostName, epoch, version: etag });
    this.logger.info(`acquired partition ${partitionId} at epoch ${epoch}`);
    return { partitionId, owner: info.hostName, epoch, version: etag };
  }

  /** Rewrites a held lease unchanged, conditional on its last ETag: the new ETag shows the owner alive. One call. */
  renewLease(partitionId: string, options: OperationOptions = {}): Promise<LeaseMarker> {
    return this.rewriteHeld(partitionId, "renewLease", options);
  }

  /** Same as {@link BlobLeaser.renewLease} (the seed's `UpdateLease`). */
  updateLease(partitionId: string, options: OperationOptions = {}): Promise<LeaseMarker> {
    return this.rewriteHeld(partitionId, "updateLease", options);
  }

  /** Gives a held lease up: owner `""`, epoch kept, conditional on its last ETag. */
  async releaseLease(partitionId: string, options: OperationOptions = {}): Promise<void> {
    const name = this.blobName(partitionId);
    throwIfAborted(options.abortSignal);
    const held = this.held.get(partitionId);
    if (!held) throw this.lost(partitionId, "releaseLease", "this leaser does not hold it");
    const etag = await this.conditionalWrite(
      name,
      { epoch: held.epoch, owner: "" },
      held.etag,
      partitionId,
      "releaseLease",
      options.abortSignal,
    );
    if (this.held.get(partitionId)?.etag === held.etag) this.held.delete(partitionId);
    this.seen.set(partitionId, { partitionId, owner: "", epoch: held.epoch, version: etag });
    this.logger.info(`released partition ${partitionId} at epoch ${held.epoch}`);
  }

  /** Stops using the leaser. Leases are not released: call `releaseLease` first to hand them over fast. */
  async close(): Promise<void> {
    this.closed = true;
    this.held.clear();
    this.seen.clear();
  }

  private async rewriteHeld(partitionId: string, operation: string, options: OperationOptions): Promise<LeaseMarker> {
    const { info } = this.config();
    const name = this.blobName(partitionId);
    throwIfAborted(options.abortSignal);
    const held = this.held.get(partitionId);
    if (!held) throw this.lost(partitionId, operation, "this leaser does not hold it");
    const etag = await this.conditionalWrite(
      name,
      { epoch: held.epoch, owner: info.hostName },
      held.etag,
      partitionId,
      operation,
      options.abortSignal,
    );
    // Only move forward from the version this write was conditional on; a concurrent release or acquire
    // on this instance may have replaced the entry meanwhile.
    if (this.held.get(partitionId)?.etag === held.etag) this.held.set(partitionId, { etag, epoch: held.epoch });
    this.seen.set(partitionId, { partitionId, owner: info.hostName, epoch: held.epoch, version: etag });
    return { partitionId, owner: info.hostName, epoch: held.epoch, version: etag };
  }

  /**
   * Set Blob Metadata with `If-Match: etag`. A failed condition (412) or a vanished blob (404) means the
   * lease is lost; a vanished container is `StoreNotFound`.
   *
   * One exception: when the SDK retried a write whose first attempt landed but whose answer was lost (a
   * reset connection), the retry fails its condition against our own write. A 412 is therefore checked
   * with one read: a record showing exactly the owner and epoch we wrote, under a new ETag, can only be
   * our write, since every other host's acquire increments the epoch.
   */
  private async conditionalWrite(
    name: string,
    state: LeaseState,
    etag: string,
    partitionId: string,
    operation: string,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    let failure: StoreFailure;
    try {
      const response = await this.container.getBlockBlobClient(name).setMetadata(leaseMetadata(state), {
        conditions: { ifMatch: etag },
        abortSignal: signal,
      });
      return normalizeEtag(response.etag ?? "");
    } catch (error) {
      failure = classifyFailure(error, signal);
    }
    if (failure.kind === "conditionFailed") {
      const current = await this.read(partitionId, operation, signal).catch(() => undefined);
      // The ETag must have moved: a renewal writes the same owner and epoch, and a write refused for
      // another reason (a native blob lease put on the record) leaves the record as it was.
      if (current && current.owner === state.owner && current.epoch === state.epoch && current.version !== etag) {
        this.logger.verbose(`${operation} of partition ${partitionId}: its answer was lost, and the write had landed`);
        return current.version;
      }
    }
    if (failure.kind === "conditionFailed" || failure.kind === "blobNotFound") {
      if (this.held.get(partitionId)?.etag === etag) this.held.delete(partitionId);
      this.seen.delete(partitionId);
      throw this.lost(
        partitionId,
        operation,
        failure.kind === "conditionFailed" ? "another write changed it first" : "its blob was deleted",
        failure,
      );
    }
    throw this.fail(failure, operation, partitionId, signal);
  }

  /** Reads one lease; `undefined` when the blob does not exist; `CorruptRecord` when it is not a lease. */
  private async read(partitionId: string, operation: string, signal?: AbortSignal): Promise<LeaseMarker | undefined> {
    const name = this.blobName(partitionId);
    let metadata: Record<string, string> | undefined;
    let etag: string | undefined;
    try {
      const properties = await this.container.getBlockBlobClient(name).getProperties({ abortSignal: signal });
      metadata = properties.metadata;
      etag = properties.etag;
    } catch (error) {
      const failure = classifyFailure(error, signal);
      if (failure.kind === "blobNotFound") {
        this.seen.delete(partitionId);
        return undefined;
      }
      throw this.fail(failure, operation, partitionId, signal);
    }
    try {
      const lease = parseLease(name, partitionId, metadata, etag);
      this.seen.set(partitionId, lease);
      return { ...lease };
    } catch (error) {
      this.seen.delete(partitionId);
      if (isEphError(error, "CorruptRecord")) this.logger.warning(`${operation}: ${error.message}`);
      throw error;
    }
  }

  private blobName(partitionId: string): string {
    return partitionBlobName(this.config().prefix, partitionId);
  }

  private lost(partitionId: string, operation: string, reason: string, failure?: StoreFailure): EphError {
    this.logger.verbose(`${operation} lost partition ${partitionId}: ${reason}`);
    return new EphError("LeaseLost", `${operation} lost the lease of partition ${partitionId}: ${reason}.`, {
      partitionId,
      cause: failure?.error,
    });
  }

  private fail(failure: StoreFailure, operation: string, partitionId?: string, signal?: AbortSignal): EphError {
    return this.store.fail(failure, operation, partitionId, signal);
  }

  private config(): Configured {
    this.assertOpen();
    if (!this.configured) {
      throw new EphError("NotConfigured", "Call setEventProcessorHost before using the BlobLeaser.");
    }
    return this.configured;
  }

  private assertOpen(): void {
    if (this.closed) throw new EphError("Closed", "The BlobLeaser is closed.");
  }
}
