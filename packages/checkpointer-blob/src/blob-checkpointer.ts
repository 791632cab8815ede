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
  type StoreFailure,
  validateContainerClient,
} from "@eph/blob-common";
import {
  type Checkpoint,
  type Checkpointer,
  type EnsureCheckpointOptions,
  EphError,
  type HostInfo,
  isEphError,
  type Logger,
  type OperationOptions,
  throwIfAborted,
  type UpdateCheckpointOptions,
} from "@eph/core";
import {
  type CheckpointLayout,
  type LayoutCodec,
  layoutCodec,
  type StoredCheckpoint,
  validateCheckpoint,
  validateEpoch,
} from "./checkpoint-layout.js";

/** Options of {@link BlobCheckpointer}. */
export interface BlobCheckpointerOptions {
  /**
   * How checkpoints are named and stored: `"eph"` (default) or `"checkpointstore-blob"`, the layout of
   * `@azure/eventhubs-checkpointstore-blob`, for moving from (or back to) `EventHubConsumerClient` with
   * the positions kept.
   */
  layout?: CheckpointLayout;
  /**
   * Where the checkpointer logs (refusals, conflicts, transient failures). Defaults to
   * `createClientLogger("eph:checkpointer-blob")` from `@azure/logger`, controlled by `AZURE_LOG_LEVEL`.
   */
  logger?: Logger;
}

/** Options of {@link BlobCheckpointer.fromConnectionString}. */
export interface BlobCheckpointerConnectionOptions extends BlobCheckpointerOptions, ConnectionOptions {}

// Every lost condition means another write landed, so a writer retries only as often as others succeed;
// the bound is a backstop against a livelock, far above any real contention on one partition.
const MAX_ATTEMPTS = 64;

/** Set by `setEventProcessorHost`; the prefix is `<namespace>/<hub>/<consumer group>/<segment>/`. */
type Configured = BlobScope;

/** A partition's record as this instance last read or wrote it. */
interface Cached extends StoredCheckpoint {
  /** What the next write is conditional on: `If-Match` this ETag, or `If-None-Match: *` when undefined. */
  readonly etag: string | undefined;
  /** Set when the state was read from the legacy layout, to carry over with the next write; never cached. */
  readonly carryFrom?: LegacyRecord;
}

/** A record of the legacy layout, as read. */
interface LegacyRecord {
  readonly name: string;
  readonly etag: string;
  readonly metadata: Record<string, string> | undefined;
  readonly moved: boolean;
}

/**
 * A {@link Checkpointer} over Azure Blob Storage through `@azure/storage-blob`.
 *
 * Each partition's record is one empty block blob whose metadata holds the fence (the highest lease
 * epoch seen) and the position. Every write is conditional: creation `If-None-Match: *`, changes Set
 * Blob Metadata with `If-Match` on the ETag this instance last saw. The ETag of its own last write is
 * cached, so the usual checkpoint (same writer, moving forward) is one call; a lost condition (412)
 * re-reads and judges again. Refusals (`CheckpointFenced`, `CheckpointRegressed`) are always judged on
 * a freshly read record, never on the cache.
 */
export class BlobCheckpointer implements Checkpointer {
  private readonly store: ContainerStore;
  private readonly container: ContainerClient;
  private readonly codec: LayoutCodec;
  private readonly logger: Logger;
  private configured: Configured | undefined;
  /** Where the legacy layout's records of the configured hub are, when the layout has one. */
  private legacyPrefix: string | undefined;
  private closed = false;
  private readonly cache = new Map<string, Cached>();

  /** Wraps a `ContainerClient`; the caller keeps its own credentials, retry and transport settings. */
  constructor(containerClient: ContainerClient, options: BlobCheckpointerOptions = {}) {
    const container = validateContainerClient(containerClient);
    this.codec = layoutCodec(options.layout);
    this.logger = options.logger ?? createClientLogger("eph:checkpointer-blob");
    this.store = new ContainerStore(container, this.logger);
    this.container = this.store.container;
  }

  /**
   * Creates a checkpointer for container `containerName` of the account a storage connection string
   * names (account key, SAS, or `UseDevelopmentStorage=true`). The container name is checked before any
   * network call; plain-http endpoints are accepted only on loopback (Azurite) unless
   * `allowInsecureConnection` is set. The connection string never appears in errors or logs.
   */
  static fromConnectionString(
    connectionString: string,
    containerName: string,
    options: BlobCheckpointerConnectionOptions = {},
  ): BlobCheckpointer {
    const { clientOptions, allowInsecureConnection, ...checkpointerOptions } = options;
    layoutCodec(checkpointerOptions.layout);
    const container = containerClientFromConnectionString(connectionString, containerName, {
      clientOptions,
      allowInsecureConnection,
    });
    return new BlobCheckpointer(container, checkpointerOptions);
  }

  /** The container this checkpointer uses. */
  get containerName(): string {
    return this.container.containerName;
  }

  /** Tells the checkpointer its host name, namespace, event hub and consumer group. Call before anything else. */
  setEventProcessorHost(info: HostInfo): void {
    this.assertOpen();
    const configured = blobScope(info, this.codec.segment);
    if (this.configured?.prefix !== configured.prefix) this.cache.clear();
    this.configured = configured;
    this.legacyPrefix = this.codec.legacy && blobScope(info, this.codec.legacy.segment).prefix;
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
    this.cache.clear();
  }

  /** The stored position of the partition, or `undefined` when it has none. One call. */
  async getCheckpoint(partitionId: string, options: OperationOptions = {}): Promise<Checkpoint | undefined> {
    this.blobName(partitionId);
    throwIfAborted(options.abortSignal);
    const stored = await this.read(partitionId, "getCheckpoint", options.abortSignal);
    return copy(stored?.checkpoint);
  }

  /** The partition's fence (the highest epoch raised or written); 0 when it has no record. One call. */
  async getFence(partitionId: string, options: OperationOptions = {}): Promise<number> {
    this.blobName(partitionId);
    throwIfAborted(options.abortSignal);
    const stored = await this.read(partitionId, "getFence", options.abortSignal);
    return stored?.fence ?? 0;
  }

  /**
   * Creates the partition's record if missing (`If-None-Match: *`) and raises its fence to
   * `options.epoch` (never lowers it), then returns the stored position. One call when nothing changes.
   */
  async ensureCheckpoint(partitionId: string, options: EnsureCheckpointOptions = {}): Promise<Checkpoint | undefined> {
    this.blobName(partitionId);
    const epoch = options.epoch === undefined ? undefined : validateEpoch(options.epoch, partitionId);
    const signal = options.abortSignal;
    throwIfAborted(signal);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const stored = await this.read(partitionId, "ensureCheckpoint", signal);
      if (stored === undefined || stored.carryFrom) {
        // A new record, or one carried over from the legacy layout, its fence raised.
        const checkpoint = stored?.checkpoint;
        const state = {
          fence: Math.max(stored?.fence ?? 0, epoch ?? 0),
          checkpoint,
          baseline: checkpoint ? undefined : await this.baseline(partitionId, options),
        };
        if (await this.write(partitionId, state, stored, "ensureCheckpoint", signal)) return copy(checkpoint);
        continue;
      }
      if (epoch === undefined || epoch <= stored.fence) return copy(stored.checkpoint);
      const baseline =
        stored.checkpoint || stored.baseline !== undefined
          ? stored.baseline
          : await this.baseline(partitionId, options);
      const state = { fence: epoch, checkpoint: stored.checkpoint, baseline };
      if (await this.write(partitionId, state, stored, "ensureCheckpoint", signal)) return copy(stored.checkpoint);
    }
    throw this.contention(partitionId, "ensureCheckpoint");
  }

  /**
   * Stores a new position. Refused with `CheckpointFenced` when `options.epoch` is below the partition's
   * fence and with `CheckpointRegressed` when the sequence number is below the stored one; an equal one is
   * an idempotent success, and a higher epoch raises the fence. One call when the cached ETag is current.
   */
  async updateCheckpoint(partitionId: string, checkpoint: Checkpoint, options: UpdateCheckpointOptions): Promise<void> {
    this.blobName(partitionId);
    const next = validateCheckpoint(checkpoint, partitionId);
    const epoch = validateEpoch(options?.epoch, partitionId);
    const signal = options.abortSignal;
    throwIfAborted(signal);
    let stored: Cached | undefined = this.cache.get(partitionId);
    let fresh = false;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (!stored) {
        stored = await this.read(partitionId, "updateCheckpoint", signal);
        fresh = true;
        if (!stored) {
          // Deleted (or never ensured): start the record afresh with this position.
          if (await this.create(partitionId, { fence: epoch, checkpoint: next }, "updateCheckpoint", signal)) return;
          continue;
        }
      }
      const refusal = refuse(stored, next, epoch, partitionId);
      if (refusal) {
        if (fresh) {
          this.logger.verbose(refusal.message);
          throw refusal;
        }
        // The cache may be stale (the record was deleted or rewritten): judge again on what is stored.
        stored = undefined;
        continue;
      }
      const state = { fence: Math.max(stored.fence, epoch), checkpoint: next };
      if (await this.write(partitionId, state, stored, "updateCheckpoint", signal)) return;
      stored = undefined;
      fresh = false;
    }
    throw this.contention(partitionId, "updateCheckpoint");
  }

  /** Deletes the partition's checkpoint record. No error if it does not exist. */
  async deleteCheckpoint(partitionId: string, options: OperationOptions = {}): Promise<void> {
    const name = this.blobName(partitionId);
    throwIfAborted(options.abortSignal);
    // The legacy record goes too, or the next read would carry its old position over again.
    const legacy = this.legacyBlobName(partitionId);
    for (const blob of legacy === undefined ? [name] : [name, legacy]) {
      try {
        await this.container.getBlockBlobClient(blob).delete({ abortSignal: options.abortSignal });
      } catch (error) {
        const failure = classifyFailure(error, options.abortSignal);
        if (failure.kind !== "blobNotFound") {
          throw this.fail(failure, "deleteCheckpoint", partitionId, options.abortSignal);
        }
      }
    }
    this.cache.delete(partitionId);
  }

  /** Stops using the checkpointer. Stored checkpoints stay. */
  async close(): Promise<void> {
    this.closed = true;
    this.cache.clear();
  }

  /**
   * Reads one record; `undefined` when there is none; `CorruptRecord` when it is not a checkpoint (a
   * record another writer replaced among them). When the current layout has no record, or only one
   * another writer left there, a record of the legacy layout not yet carried over is returned with
   * `carryFrom`, to be carried over by the next write.
   */
  private async read(partitionId: string, operation: string, signal?: AbortSignal): Promise<Cached | undefined> {
    const name = this.blobName(partitionId);
    this.cache.delete(partitionId);
    const current = await this.fetch(name, partitionId, operation, signal);
    const foreign = current !== undefined && this.codec.foreign?.(current.metadata) === true;
    if (current !== undefined && !foreign) return this.decode(current, this.codec, name, partitionId, operation);
    const legacy = this.codec.legacy;
    const legacyName = this.legacyBlobName(partitionId);
    const old = legacy && legacyName ? await this.fetch(legacyName, partitionId, operation, signal) : undefined;
    if (legacy && legacyName && old) {
      const state = this.decode(old, legacy, legacyName, partitionId, operation);
      const moved = legacy.moved(old.metadata);
      if (current === undefined || !moved) {
        if (foreign) {
          this.logger.warning(
            `${operation}: the checkpoint blob "${name}" was left by another writer; eph's record "${legacyName}" replaces it`,
          );
        }
        const carryFrom = { name: legacyName, etag: old.etag, metadata: old.metadata, moved };
        return { fence: state.fence, checkpoint: state.checkpoint, etag: current?.etag, carryFrom };
      }
    }
    return current && this.decode(current, this.codec, name, partitionId, operation);
  }

  /** A blob's metadata and ETag; `undefined` when it does not exist. */
  private async fetch(
    name: string,
    partitionId: string,
    operation: string,
    signal: AbortSignal | undefined,
  ): Promise<{ metadata: Record<string, string> | undefined; etag: string } | undefined> {
    try {
      const properties = await this.container.getBlockBlobClient(name).getProperties({ abortSignal: signal });
      if (!properties.etag) {
        throw new EphError("CorruptRecord", `The checkpoint blob "${name}" has no ETag.`, { partitionId });
      }
      return { metadata: properties.metadata, etag: properties.etag };
    } catch (error) {
      if (isEphError(error)) throw error;
      const failure = classifyFailure(error, signal);
      if (failure.kind === "blobNotFound") return undefined;
      throw this.fail(failure, operation, partitionId, signal);
    }
  }

  /** Decodes a fetched blob, caching it when it is of the current layout; `CorruptRecord` logged and thrown. */
  private decode(
    blob: { metadata: Record<string, string> | undefined; etag: string },
    codec: LayoutCodec,
    name: string,
    partitionId: string,
    operation: string,
  ): Cached {
    try {
      const stored: Cached = { ...codec.parse(blob.metadata, name, partitionId), etag: blob.etag };
      if (codec === this.codec) this.cache.set(partitionId, stored);
      return stored;
    } catch (error) {
      if (isEphError(error, "CorruptRecord")) this.logger.warning(`${operation}: ${error.message}`);
      throw error;
    }
  }

  /**
   * Writes `state` on the condition `stored` was read with (create when it had no ETag); a record carried
   * over from the legacy layout is then marked moved there. False when the condition did not hold.
   */
  private async write(
    partitionId: string,
    state: StoredCheckpoint,
    stored: Cached | undefined,
    operation: string,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    const written =
      stored?.etag === undefined
        ? await this.create(partitionId, state, operation, signal)
        : await this.replace(partitionId, state, stored.etag, operation, signal);
    if (written && stored?.carryFrom && !stored.carryFrom.moved) {
      await this.markMoved(partitionId, stored.carryFrom, operation, signal);
    }
    return written;
  }

  /**
   * Marks a carried-over legacy record (its fields kept, so an earlier eph version still reads it), so
   * that it is never carried over a second time. A failure is logged: the carried record is in place.
   */
  private async markMoved(
    partitionId: string,
    legacy: LegacyRecord,
    operation: string,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const markMoved = this.codec.legacy?.markMoved;
    if (!markMoved) return;
    this.logger.info(`${operation}: partition ${partitionId}'s checkpoint was carried over from "${legacy.name}"`);
    try {
      await this.container
        .getBlockBlobClient(legacy.name)
        .setMetadata(markMoved(legacy.metadata), { conditions: { ifMatch: legacy.etag }, abortSignal: signal });
    } catch (error) {
      const failure = classifyFailure(error, signal);
      this.logger.warning(`${operation}: could not mark "${legacy.name}" as carried over (${failure.kind})`);
    }
  }

  /** Creates the record with `If-None-Match: *`; false when another writer created it first. */
  private async create(
    partitionId: string,
    state: StoredCheckpoint,
    operation: string,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    const name = this.blobName(partitionId);
    try {
      const response = await this.container.getBlockBlobClient(name).upload("", 0, {
        metadata: this.codec.toMetadata(state),
        conditions: { ifNoneMatch: "*" },
        abortSignal: signal,
      });
      this.remember(partitionId, state, response.etag);
      return true;
    } catch (error) {
      const failure = classifyFailure(error, signal);
      if (failure.kind === "blobExists" || failure.kind === "conditionFailed") {
        this.logger.verbose(`${operation}: partition ${partitionId}'s record was created by another writer first`);
        return false;
      }
      throw this.fail(failure, operation, partitionId, signal);
    }
  }

  /** Rewrites the record's metadata with `If-Match: etag`; false when it changed or vanished since. */
  private async replace(
    partitionId: string,
    state: StoredCheckpoint,
    etag: string,
    operation: string,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    const name = this.blobName(partitionId);
    try {
      const response = await this.container
        .getBlockBlobClient(name)
        .setMetadata(this.codec.toMetadata(state), { conditions: { ifMatch: etag }, abortSignal: signal });
      this.remember(partitionId, state, response.etag);
      return true;
    } catch (error) {
      const failure = classifyFailure(error, signal);
      if (failure.kind === "conditionFailed" || failure.kind === "blobNotFound") {
        this.cache.delete(partitionId);
        this.logger.verbose(`${operation}: partition ${partitionId}'s record changed since it was read; reading again`);
        return false;
      }
      throw this.fail(failure, operation, partitionId, signal);
    }
  }

  private remember(partitionId: string, state: StoredCheckpoint, etag: string | undefined): void {
    if (etag) this.cache.set(partitionId, { ...state, etag });
    else this.cache.delete(partitionId);
  }

  private contention(partitionId: string, operation: string): EphError {
    const error = new EphError(
      "StoreUnavailable",
      `${operation} gave up on partition ${partitionId} after ${MAX_ATTEMPTS} conflicting writes by others.`,
      { partitionId },
    );
    this.logger.warning(error.message);
    return error;
  }

  /**
   * The partition's last enqueued sequence number from `options.lastEnqueuedSequenceNumber` (the host asks
   * Event Hubs), for a record without a position; `undefined` when not given or when it fails (the fence
   * matters more than KEDA's view, so the call goes on).
   */
  private async baseline(partitionId: string, options: EnsureCheckpointOptions): Promise<number | undefined> {
    const ask = options.lastEnqueuedSequenceNumber;
    if (!this.codec.keepsBaseline || ask === undefined) return undefined;
    try {
      const last = await ask({ abortSignal: options.abortSignal });
      if (Number.isSafeInteger(last) && last >= -1) return last === -1 ? undefined : last;
      this.logger.warning(
        `ensureCheckpoint: partition ${partitionId}'s last enqueued sequence number ${String(last)} is not an integer >= -1`,
      );
    } catch (error) {
      throwIfAborted(options.abortSignal);
      // Name and code only: the message of a client error is not this package's to vouch for.
      const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
      this.logger.warning(
        `ensureCheckpoint: partition ${partitionId}'s last enqueued sequence number is unknown (${String(name)} ${String(code)}); KEDA counts its whole history until the first checkpoint`,
      );
    }
    return undefined;
  }

  private legacyBlobName(partitionId: string): string | undefined {
    if (this.legacyPrefix === undefined) return undefined;
    return partitionBlobName(this.legacyPrefix, partitionId);
  }

  private blobName(partitionId: string): string {
    this.assertOpen();
    if (!this.configured) {
      throw new EphError("NotConfigured", "Call setEventProcessorHost before using the BlobCheckpointer.");
    }
    return partitionBlobName(this.configured.prefix, partitionId);
  }

  private fail(failure: StoreFailure, operation: string, partitionId?: string, signal?: AbortSignal): EphError {
    return this.store.fail(failure, operation, partitionId, signal);
  }

  private assertOpen(): void {
    if (this.closed) throw new EphError("Closed", "The BlobCheckpointer is closed.");
  }
}

/** The refusal a write deserves against `stored`, or `undefined` when it may proceed. Fencing comes first. */
function refuse(stored: StoredCheckpoint, next: Checkpoint, epoch: number, partitionId: string): EphError | undefined {
  if (epoch < stored.fence) {
    return new EphError(
      "CheckpointFenced",
      `The checkpoint of partition ${partitionId} was refused: epoch ${epoch} is below the partition's fence ${stored.fence} (a newer owner took the lease).`,
      { partitionId },
    );
  }
  if (stored.checkpoint && next.sequenceNumber < stored.checkpoint.sequenceNumber) {
    return new EphError(
      "CheckpointRegressed",
      `The checkpoint of partition ${partitionId} was refused: sequence number ${next.sequenceNumber} is below the stored ${stored.checkpoint.sequenceNumber}.`,
      { partitionId },
    );
  }
  return undefined;
}

function copy(checkpoint: Checkpoint | undefined): Checkpoint | undefined {
  if (!checkpoint) return undefined;
  return {
    offset: checkpoint.offset,
    sequenceNumber: checkpoint.sequenceNumber,
    enqueuedTime: new Date(checkpoint.enqueuedTime.getTime()),
  };
}
