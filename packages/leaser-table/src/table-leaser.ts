import { odata, type TableClient, type TableServiceClientOptions } from "@azure/data-tables";
import { createClientLogger } from "@azure/logger";
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
import {
  classifyFailure,
  groupPartitionKey,
  partitionRowKey,
  type StoreFailure,
  TableStore,
  tableClientFromConnectionString,
  validateHostInfo,
} from "@eph/table-common";
import { EntityGroupWriter, type EntityWrite } from "./entity-group-writer.js";
import { corruptLease, type LeaseEntity, leaseEntity, parseLease } from "./lease-entity.js";

/** Options of {@link TableLeaser}. */
export interface TableLeaserOptions {
  /**
   * Where the leaser logs (lost races, skipped entities). Defaults to `createClientLogger("eph:leaser-table")`
   * from `@azure/logger`, controlled by `AZURE_LOG_LEVEL`.
   */
  logger?: Logger;
  /**
   * Group writes started in the same turn of the event loop (e.g. renewing every held lease at once) into
   * entity group transactions of up to 100 entities: one call instead of one per lease. Default `true`.
   */
  groupWrites?: boolean;
}

/** Options of {@link TableLeaser.fromConnectionString}. */
export interface TableLeaserConnectionOptions extends TableLeaserOptions {
  /** Passed to the `TableClient` (retry options, user agent…). */
  clientOptions?: TableServiceClientOptions;
}

/** The PartitionKey suffix of lease entities. */
export const LEASE_KIND = "eph-lease";

interface Configured {
  readonly info: HostInfo;
  readonly partitionKey: string;
}

/** A write of a lease entity (the recovery after a 412 compares what it meant to store). */
type LeaseWrite = EntityWrite & { readonly entity: LeaseEntity };

interface Held {
  readonly etag: string;
  readonly epoch: number;
}

/**
 * A {@link Leaser} over Azure Table Storage (or Cosmos DB's Table API) through `@azure/data-tables`.
 *
 * Each partition's lease is one entity: PartitionKey `<namespace> <hub> <consumer group> eph-lease`
 * (lower-cased, escaped), RowKey the partition id, properties `owner` (string) and `epoch` (Int64). Tables
 * have no native leases, so ownership changes only through ETag conditions: creation is insert-only and
 * every change is a replace with If-Match. The ETag is the lease version; renewing rewrites the entity,
 * which changes it, and observers judge expiry by how long it stays unchanged on their own clock.
 */
export class TableLeaser implements Leaser {
  private readonly store: TableStore;
  private readonly client: TableClient;
  private readonly logger: Logger;
  private readonly writer: EntityGroupWriter;
  private configured: Configured | undefined;
  private closed = false;
  /** Leases this instance holds, with the ETag of its own last write: renew and release are conditional on it. */
  private readonly held = new Map<string, Held>();
  /** The last state seen of each lease, so acquiring with an `expectedVersion` from a scan needs no read. */
  private readonly seen = new Map<string, LeaseMarker>();

  /** Wraps a `TableClient`; the caller keeps its own credentials, retry and transport settings. */
  constructor(tableClient: TableClient, options: TableLeaserOptions = {}) {
    this.logger = options.logger ?? createClientLogger("eph:leaser-table");
    this.store = new TableStore(tableClient, this.logger);
    this.client = this.store.client;
    this.writer = new EntityGroupWriter(tableClient, options.groupWrites ?? true);
  }

  /**
   * Creates a leaser for table `tableName` of the account a storage connection string names. Plain-http
   * endpoints are accepted only on loopback (Azurite). The connection string never appears in errors.
   */
  static fromConnectionString(
    connectionString: string,
    tableName: string,
    options: TableLeaserConnectionOptions = {},
  ): TableLeaser {
    const { clientOptions, ...leaserOptions } = options;
    return new TableLeaser(tableClientFromConnectionString(connectionString, tableName, clientOptions), leaserOptions);
  }

  /** The table this leaser uses. */
  get tableName(): string {
    return this.client.tableName;
  }

  /** Tells the leaser its host name, namespace, event hub and consumer group. Call before anything else. */
  setEventProcessorHost(info: HostInfo): void {
    validateHostInfo(info);
    const partitionKey = groupPartitionKey(info, LEASE_KIND);
    if (this.configured?.partitionKey !== partitionKey || this.configured.info.hostName !== info.hostName) {
      this.held.clear();
      this.seen.clear();
    }
    this.configured = { info: { ...info }, partitionKey };
  }

  /** True when the table exists. */
  async storeExists(options: OperationOptions = {}): Promise<boolean> {
    this.assertOpen();
    return this.store.exists(options.abortSignal);
  }

  /** Creates the table if it is missing; concurrent calls from many hosts all succeed. */
  async ensureStore(options: OperationOptions = {}): Promise<void> {
    this.assertOpen();
    await this.store.ensure(options.abortSignal);
  }

  /**
   * Deletes the table and everything in it, including the leases of every other hub and consumer group
   * that shares it. No error if it does not exist.
   */
  async deleteStore(options: OperationOptions = {}): Promise<void> {
    this.assertOpen();
    await this.store.delete(options.abortSignal);
    this.held.clear();
    this.seen.clear();
  }

  /**
   * Every lease of this namespace, hub and consumer group: one query (one call per 1000 leases).
   * Entities that are not valid leases are skipped and logged.
   */
  async getLeases(options: OperationOptions = {}): Promise<LeaseMarker[]> {
    const { partitionKey } = this.config();
    throwIfAborted(options.abortSignal);
    const leases: LeaseMarker[] = [];
    try {
      const entities = this.client.listEntities<Record<string, unknown>>({
        queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` },
        abortSignal: options.abortSignal,
      });
      for await (const entity of entities) {
        const rowKey = typeof entity.rowKey === "string" ? entity.rowKey : "";
        try {
          const lease = parseLease(entity, partitionKey, rowKey);
          this.seen.set(lease.partitionId, lease);
          leases.push({ ...lease });
        } catch (error) {
          this.logger.warning(`getLeases skipped an entity: ${(error as Error).message}`);
        }
      }
    } catch (error) {
      throw this.fail(classifyFailure(error, options.abortSignal), "getLeases", undefined, options.abortSignal);
    }
    return leases;
  }

  /** Returns the partition's lease, creating it unowned at epoch 0 (insert-only) if absent. */
  async ensureLease(partitionId: string, options: OperationOptions = {}): Promise<LeaseMarker> {
    const { partitionKey } = this.config();
    const rowKey = partitionRowKey(partitionId);
    throwIfAborted(options.abortSignal);
    try {
      const write: EntityWrite = { action: "create", entity: leaseEntity(partitionKey, rowKey, "", 0) };
      const etag = await this.writer.write(write, options.abortSignal, (etag) => {
        this.seen.set(partitionId, { partitionId, owner: "", epoch: 0, version: etag });
      });
      return { partitionId, owner: "", epoch: 0, version: etag };
    } catch (error) {
      const failure = classifyFailure(error, options.abortSignal);
      if (failure.kind !== "entityExists") throw this.fail(failure, "ensureLease", partitionId, options.abortSignal);
    }
    const existing = await this.read(partitionId, "ensureLease", options.abortSignal);
    if (existing) return existing;
    // Deleted between our create and our read: whoever deleted it wants it gone; report that plainly.
    throw new EphError("LeaseNotFound", `The lease of partition ${partitionId} was deleted while ensuring it.`, {
      partitionId,
    });
  }

  /** Deletes the partition's lease entity, whoever owns it. No error if it does not exist. */
  async deleteLease(partitionId: string, options: OperationOptions = {}): Promise<void> {
    const { partitionKey } = this.config();
    const rowKey = partitionRowKey(partitionId);
    throwIfAborted(options.abortSignal);
    try {
      await this.client.deleteEntity(partitionKey, rowKey, { etag: "*", abortSignal: options.abortSignal });
    } catch (error) {
      const failure = classifyFailure(error, options.abortSignal);
      if (failure.kind !== "entityNotFound") throw this.fail(failure, "deleteLease", partitionId, options.abortSignal);
    }
    this.held.delete(partitionId);
    this.seen.delete(partitionId);
  }

  /**
   * Takes the lease: owner = this host, epoch + 1, in one replace conditional on `expectedVersion` (or on
   * the ETag just read when none is given). When the version came from this leaser's last scan no read is
   * needed, so a scan-then-acquire costs one call.
   */
  async acquireLease(partitionId: string, options: AcquireLeaseOptions = {}): Promise<LeaseMarker> {
    const { partitionKey, info } = this.config();
    const rowKey = partitionRowKey(partitionId);
    const { expectedVersion, abortSignal } = options;
    if (expectedVersion !== undefined && (typeof expectedVersion !== "string" || expectedVersion === "")) {
      throw new EphError("InvalidOption", "expectedVersion must be a non-empty string when given.", { partitionId });
    }
    throwIfAborted(abortSignal);
    let current = this.seen.get(partitionId);
    if (expectedVersion === undefined || current?.version !== expectedVersion) {
      current = await this.read(partitionId, "acquireLease", abortSignal);
      if (!current) {
        throw new EphError("LeaseNotFound", `Partition ${partitionId} has no lease (call ensureLease first).`, {
          partitionId,
        });
      }
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw this.lost(partitionId, "acquireLease", "it changed since the version the caller observed");
      }
    }
    const epoch = current.epoch + 1;
    const write: LeaseWrite = {
      action: "update",
      entity: leaseEntity(partitionKey, rowKey, info.hostName, epoch),
      etag: current.version,
    };
    const etag = await this.conditionalWrite(write, partitionId, "acquireLease", abortSignal, {
      // Acquiring is not refreshed after a recovered retry: the write that took it was sent during this call.
      refresh: false,
      onWritten: (etag) => {
        this.held.set(partitionId, { etag, epoch });
        this.seen.set(partitionId, { partitionId, owner: info.hostName, epoch, version: etag });
      },
    });
    this.logger.info(`acquired partition ${partitionId} at epoch ${epoch}`);
    return { partitionId, owner: info.hostName, epoch, version: etag };
  }

  /** Rewrites a held lease unchanged, conditional on its last ETag: the new ETag shows the owner alive. */
  renewLease(partitionId: string, options: OperationOptions = {}): Promise<LeaseMarker> {
    return this.rewriteHeld(partitionId, "renewLease", options);
  }

  /** Same as {@link TableLeaser.renewLease} (the seed's `UpdateLease`). */
  updateLease(partitionId: string, options: OperationOptions = {}): Promise<LeaseMarker> {
    return this.rewriteHeld(partitionId, "updateLease", options);
  }

  /** Gives a held lease up: owner `""`, epoch kept, conditional on its last ETag. */
  async releaseLease(partitionId: string, options: OperationOptions = {}): Promise<void> {
    const { partitionKey } = this.config();
    const rowKey = partitionRowKey(partitionId);
    throwIfAborted(options.abortSignal);
    const held = this.held.get(partitionId);
    if (!held) throw this.lost(partitionId, "releaseLease", "this leaser does not hold it");
    const write: LeaseWrite = {
      action: "update",
      entity: leaseEntity(partitionKey, rowKey, "", held.epoch),
      etag: held.etag,
    };
    await this.conditionalWrite(write, partitionId, "releaseLease", options.abortSignal, {
      refresh: false,
      onWritten: (etag) => {
        this.held.delete(partitionId);
        this.seen.set(partitionId, { partitionId, owner: "", epoch: held.epoch, version: etag });
      },
    });
    this.logger.info(`released partition ${partitionId} at epoch ${held.epoch}`);
  }

  /** Stops using the leaser. Leases are not released: call `releaseLease` first to hand them over fast. */
  async close(): Promise<void> {
    this.closed = true;
    this.held.clear();
    this.seen.clear();
  }

  private async rewriteHeld(partitionId: string, operation: string, options: OperationOptions): Promise<LeaseMarker> {
    const { partitionKey, info } = this.config();
    const rowKey = partitionRowKey(partitionId);
    throwIfAborted(options.abortSignal);
    const held = this.held.get(partitionId);
    if (!held) throw this.lost(partitionId, operation, "this leaser does not hold it");
    const write: LeaseWrite = {
      action: "update",
      entity: leaseEntity(partitionKey, rowKey, info.hostName, held.epoch),
      etag: held.etag,
    };
    const etag = await this.conditionalWrite(write, partitionId, operation, options.abortSignal, {
      // The new version must be written during this call: the caller counts the lease's life from its start.
      refresh: true,
      onWritten: (etag, basedOn) => {
        // Only move forward from the version the write was conditional on; a concurrent release or
        // acquire on this instance may have replaced the entry meanwhile.
        if (this.held.get(partitionId)?.etag === basedOn) this.held.set(partitionId, { etag, epoch: held.epoch });
        this.seen.set(partitionId, { partitionId, owner: info.hostName, epoch: held.epoch, version: etag });
      },
    });
    return { partitionId, owner: info.hostName, epoch: held.epoch, version: etag };
  }

  /**
   * A conditional write whose vanished entity (404) means the lease is lost. A failed condition (412)
   * usually means the same, but it is also what a retry sees when the first attempt was applied and
   * only its response was lost (a timeout, a reset): the SDK retries, or the caller calls again with the
   * ETag it still has. So on 412 the entity is read: if it holds exactly the owner and epoch this write
   * meant to store, nobody else wrote (any acquisition changes the epoch, any release the owner), and the
   * write is treated as done, after one more conditional write when `refresh` asks for a version
   * written during this call.
   */
  private async conditionalWrite(
    write: LeaseWrite,
    partitionId: string,
    operation: string,
    signal: AbortSignal | undefined,
    handlers: { refresh: boolean; onWritten: (etag: string, basedOn: string | undefined) => void },
  ): Promise<string> {
    const onWritten = (basedOn: string | undefined) => (etag: string) => handlers.onWritten(etag, basedOn);
    let failure: StoreFailure;
    try {
      return await this.writer.write(write, signal, onWritten(write.etag));
    } catch (error) {
      failure = classifyFailure(error, signal);
    }
    if (failure.kind === "entityNotFound")
      throw this.forget(partitionId, write, operation, "its entity was deleted", failure);
    if (failure.kind !== "conditionFailed") throw this.fail(failure, operation, partitionId, signal);
    let current: LeaseMarker | undefined;
    try {
      current = await this.read(partitionId, operation, signal);
    } catch (error) {
      if (isEphError(error, "CorruptRecord")) throw this.forget(partitionId, write, operation, error.message, failure);
      throw error;
    }
    const intended = current?.owner === write.entity.owner && current.epoch === Number(write.entity.epoch);
    if (!current || !intended) {
      throw this.forget(partitionId, write, operation, "another write changed it first", failure);
    }
    this.logger.info(`${operation} of partition ${partitionId}: an earlier attempt was applied; adopting it`);
    handlers.onWritten(current.version, write.etag);
    if (!handlers.refresh) return current.version;
    try {
      return await this.writer.write({ ...write, etag: current.version }, signal, onWritten(current.version));
    } catch (error) {
      const again = classifyFailure(error, signal);
      if (again.kind === "conditionFailed" || again.kind === "entityNotFound") {
        throw this.forget(
          partitionId,
          { ...write, etag: current.version },
          operation,
          "another write changed it first",
          again,
        );
      }
      throw this.fail(again, operation, partitionId, signal);
    }
  }

  /** Drops what this instance knew of a lease it lost and builds the `LeaseLost` error. */
  private forget(
    partitionId: string,
    write: EntityWrite,
    operation: string,
    reason: string,
    failure: StoreFailure,
  ): EphError {
    if (this.held.get(partitionId)?.etag === write.etag) this.held.delete(partitionId);
    this.seen.delete(partitionId);
    return this.lost(partitionId, operation, reason, failure);
  }

  /** Reads one lease; `undefined` when the entity does not exist; `CorruptRecord` when it is not a lease. */
  private async read(partitionId: string, operation: string, signal?: AbortSignal): Promise<LeaseMarker | undefined> {
    const { partitionKey } = this.config();
    const rowKey = partitionRowKey(partitionId);
    let entity: Record<string, unknown>;
    try {
      entity = await this.client.getEntity<Record<string, unknown>>(partitionKey, rowKey, { abortSignal: signal });
    } catch (error) {
      const failure = classifyFailure(error, signal);
      if (failure.kind === "entityNotFound") {
        this.seen.delete(partitionId);
        return undefined;
      }
      throw this.fail(failure, operation, partitionId, signal);
    }
    try {
      const lease = parseLease(entity, partitionKey, rowKey);
      this.seen.set(partitionId, lease);
      return { ...lease };
    } catch (error) {
      if (isEphError(error, "CorruptRecord")) this.logger.warning(`${operation}: ${error.message}`);
      throw isEphError(error) ? error : corruptLease(partitionKey, rowKey, String(error), partitionId);
    }
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
      throw new EphError("NotConfigured", "Call setEventProcessorHost before using the TableLeaser.");
    }
    return this.configured;
  }

  private assertOpen(): void {
    if (this.closed) throw new EphError("Closed", "The TableLeaser is closed.");
  }
}
