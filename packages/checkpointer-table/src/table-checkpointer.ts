import type { TableClient, TableServiceClientOptions } from "@azure/data-tables";
import { createClientLogger } from "@azure/logger";
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
  classifyFailure,
  type StoreFailure,
  TableStore,
  tableClientFromConnectionString,
  validateHostInfo,
} from "@eph/table-common";
import {
  type CheckpointLayout,
  corruptCheckpoint,
  type LayoutCodec,
  layoutCodec,
  type StoredCheckpoint,
} from "./checkpoint-layout.js";

/** Options of {@link TableCheckpointer}. */
export interface TableCheckpointerOptions {
  /**
   * Where the checkpointer logs. Defaults to `createClientLogger("eph:checkpointer-table")` from
   * `@azure/logger`, controlled by `AZURE_LOG_LEVEL`.
   */
  logger?: Logger;
  /** How entities are laid out; see {@link CheckpointLayout}. Default `"eph"`. */
  layout?: CheckpointLayout;
}

/** Options of {@link TableCheckpointer.fromConnectionString}. */
export interface TableCheckpointerConnectionOptions extends TableCheckpointerOptions {
  /** Passed to the `TableClient` (retry options, user agent…). */
  clientOptions?: TableServiceClientOptions;
}

interface Configured {
  readonly partitionKey: string;
}

/** What this instance last wrote or read of a partition: the ETag its next write is conditional on. */
interface Cached extends StoredCheckpoint {
  readonly etag: string;
}

// Every retry of the loops below follows a write by someone else that won, so they end quickly; the
// bound only turns a pathological storm into an error instead of a hang.
const MAX_ATTEMPTS = 32;

/**
 * A {@link Checkpointer} over Azure Table Storage (or Cosmos DB's Table API) through `@azure/data-tables`.
 *
 * One entity per partition holds the position and the partition's fence (the highest lease epoch seen).
 * Every write is a replace conditional on the entity's ETag (creation is insert-only), so a deposed
 * owner's write can never land after its successor raised the fence, and positions never move back.
 * The ETag of this instance's own last write is cached: the common update is one call, and a 412 means
 * someone else wrote, so the entity is read again and the rules re-checked.
 */
export class TableCheckpointer implements Checkpointer {
  private readonly store: TableStore;
  private readonly client: TableClient;
  private readonly logger: Logger;
  private readonly codec: LayoutCodec;
  private configured: Configured | undefined;
  private closed = false;
  private readonly cache = new Map<string, Cached>();

  /** Wraps a `TableClient`; the caller keeps its own credentials, retry and transport settings. */
  constructor(tableClient: TableClient, options: TableCheckpointerOptions = {}) {
    this.logger = options.logger ?? createClientLogger("eph:checkpointer-table");
    this.store = new TableStore(tableClient, this.logger);
    this.client = this.store.client;
    this.codec = layoutCodec(options.layout);
  }

  /**
   * Creates a checkpointer for table `tableName` of the account a storage connection string names.
   * Plain-http endpoints are accepted only on loopback (Azurite). The connection string never appears in
   * errors.
   */
  static fromConnectionString(
    connectionString: string,
    tableName: string,
    options: TableCheckpointerConnectionOptions = {},
  ): TableCheckpointer {
    const { clientOptions, ...rest } = options;
    return new TableCheckpointer(tableClientFromConnectionString(connectionString, tableName, clientOptions), rest);
  }

  /** The table this checkpointer uses. */
  get tableName(): string {
    return this.client.tableName;
  }

  /** Tells the checkpointer its namespace, event hub and consumer group. Call before anything else. */
  setEventProcessorHost(info: HostInfo): void {
    validateHostInfo(info);
    const partitionKey = this.codec.partitionKey(info);
    if (this.configured?.partitionKey !== partitionKey) this.cache.clear();
    this.configured = { partitionKey };
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
   * Deletes the table and everything in it, including the checkpoints (and leases, if they share it) of
   * every hub and consumer group that uses it. No error if it does not exist.
   */
  async deleteStore(options: OperationOptions = {}): Promise<void> {
    this.assertOpen();
    await this.store.delete(options.abortSignal);
    this.cache.clear();
  }

  /** The stored position (one read), or `undefined` when there is no record or no position yet. */
  async getCheckpoint(partitionId: string, options: OperationOptions = {}): Promise<Checkpoint | undefined> {
    const keys = this.keys(partitionId);
    throwIfAborted(options.abortSignal);
    const stored = await this.read(partitionId, keys, "getCheckpoint", options.abortSignal);
    return copy(stored?.checkpoint);
  }

  /** The partition's fence (the highest epoch raised or written); 0 when it has no record. One call. */
  async getFence(partitionId: string, options: OperationOptions = {}): Promise<number> {
    const keys = this.keys(partitionId);
    throwIfAborted(options.abortSignal);
    const stored = await this.read(partitionId, keys, "getFence", options.abortSignal);
    return stored?.fence ?? 0;
  }

  /**
   * Creates the record if missing (insert-only) and raises its fence to `options.epoch` (never lowers
   * it). One read, plus one write when something changes. Returns the stored position.
   */
  async ensureCheckpoint(partitionId: string, options: EnsureCheckpointOptions = {}): Promise<Checkpoint | undefined> {
    const keys = this.keys(partitionId);
    const { epoch, abortSignal } = options;
    if (epoch !== undefined) validateEpoch(epoch, partitionId);
    throwIfAborted(abortSignal);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const stored = await this.read(partitionId, keys, "ensureCheckpoint", abortSignal);
      if (!stored) {
        const created = await this.write(partitionId, keys, { fence: epoch ?? 0, checkpoint: undefined }, undefined, {
          operation: "ensureCheckpoint",
          signal: abortSignal,
        });
        if (created) return undefined;
        continue;
      }
      if (epoch === undefined || epoch <= stored.fence) return copy(stored.checkpoint);
      const raised = await this.write(partitionId, keys, { fence: epoch, checkpoint: stored.checkpoint }, stored.etag, {
        operation: "ensureCheckpoint",
        signal: abortSignal,
      });
      if (raised) return copy(stored.checkpoint);
    }
    throw this.contention(partitionId, "ensureCheckpoint");
  }

  /**
   * Stores a position. Refused with `CheckpointFenced` when `options.epoch` is below the partition's
   * fence, with `CheckpointRegressed` when the sequence number is below the stored one (equal succeeds).
   * An epoch above the fence raises it. One call when nobody else wrote since this instance's last write.
   */
  async updateCheckpoint(partitionId: string, checkpoint: Checkpoint, options: UpdateCheckpointOptions): Promise<void> {
    const keys = this.keys(partitionId);
    const epoch = options?.epoch;
    validateEpoch(epoch, partitionId);
    const next = validateCheckpoint(checkpoint, partitionId);
    const signal = options.abortSignal;
    throwIfAborted(signal);
    let stored: Cached | undefined = this.cache.get(partitionId);
    let fresh = false;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (!stored) {
        stored = await this.read(partitionId, keys, "updateCheckpoint", signal);
        fresh = true;
        if (!stored) {
          const created = await this.write(partitionId, keys, { fence: epoch, checkpoint: next }, undefined, {
            operation: "updateCheckpoint",
            signal,
          });
          if (created) return;
          continue;
        }
      }
      const verdict = judge(stored, epoch, next);
      if (verdict && !fresh) {
        // A cached state can be older than the store; only a fresh read may refuse a write.
        stored = undefined;
        continue;
      }
      if (verdict === "fenced") {
        throw new EphError(
          "CheckpointFenced",
          `updateCheckpoint of partition ${partitionId} refused: epoch ${epoch} is below the partition's fence ${stored.fence} (a newer owner took the partition).`,
          { partitionId },
        );
      }
      if (verdict === "regressed") {
        throw new EphError(
          "CheckpointRegressed",
          `updateCheckpoint of partition ${partitionId} refused: sequence number ${next.sequenceNumber} is below the stored ${stored.checkpoint?.sequenceNumber}.`,
          { partitionId },
        );
      }
      const written = await this.write(
        partitionId,
        keys,
        { fence: Math.max(stored.fence, epoch), checkpoint: next },
        stored.etag,
        { operation: "updateCheckpoint", signal },
      );
      if (written) return;
      stored = undefined;
    }
    throw this.contention(partitionId, "updateCheckpoint");
  }

  /** Deletes the partition's record, whatever it holds. No error if it does not exist. */
  async deleteCheckpoint(partitionId: string, options: OperationOptions = {}): Promise<void> {
    const { partitionKey, rowKey } = this.keys(partitionId);
    throwIfAborted(options.abortSignal);
    try {
      await this.client.deleteEntity(partitionKey, rowKey, { etag: "*", abortSignal: options.abortSignal });
    } catch (error) {
      const failure = classifyFailure(error, options.abortSignal);
      if (failure.kind !== "entityNotFound") {
        throw this.fail(failure, "deleteCheckpoint", partitionId, options.abortSignal);
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
   * Writes `state`: insert-only when `etag` is undefined, else a replace conditional on it. Resolves
   * false when the condition failed (someone else wrote or deleted first), true on success.
   */
  private async write(
    partitionId: string,
    keys: { partitionKey: string; rowKey: string },
    state: StoredCheckpoint,
    etag: string | undefined,
    context: { operation: string; signal: AbortSignal | undefined },
  ): Promise<boolean> {
    const entity = this.codec.toEntity(keys.partitionKey, keys.rowKey, state);
    const { signal } = context;
    try {
      const response =
        etag === undefined
          ? await this.client.createEntity(entity, { abortSignal: signal })
          : await this.client.updateEntity(entity, "Replace", { etag, abortSignal: signal });
      if (response.etag) this.cache.set(partitionId, { ...state, etag: response.etag });
      else this.cache.delete(partitionId);
      return true;
    } catch (error) {
      this.cache.delete(partitionId);
      const failure = classifyFailure(error, signal);
      if (failure.kind === "entityExists" || failure.kind === "conditionFailed" || failure.kind === "entityNotFound") {
        this.logger.verbose(`${context.operation} of partition ${partitionId} raced another writer; reading again`);
        return false;
      }
      throw this.fail(failure, context.operation, partitionId, signal);
    }
  }

  /** Reads a partition's record (`undefined` when absent) and caches its ETag; `CorruptRecord` if unreadable. */
  private async read(
    partitionId: string,
    keys: { partitionKey: string; rowKey: string },
    operation: string,
    signal: AbortSignal | undefined,
  ): Promise<Cached | undefined> {
    let entity: Record<string, unknown>;
    try {
      entity = await this.client.getEntity<Record<string, unknown>>(keys.partitionKey, keys.rowKey, {
        abortSignal: signal,
      });
    } catch (error) {
      this.cache.delete(partitionId);
      const failure = classifyFailure(error, signal);
      if (failure.kind === "entityNotFound") return undefined;
      throw this.fail(failure, operation, partitionId, signal);
    }
    this.cache.delete(partitionId);
    let stored: StoredCheckpoint;
    try {
      stored = this.codec.parse(entity, keys.partitionKey, keys.rowKey);
    } catch (error) {
      const corrupt = isEphError(error) ? error : corruptCheckpoint(keys.partitionKey, keys.rowKey, String(error));
      this.logger.warning(`${operation}: ${corrupt.message}`);
      throw corrupt;
    }
    if (typeof entity.etag !== "string" || entity.etag === "") {
      throw corruptCheckpoint(keys.partitionKey, keys.rowKey, "the service returned no ETag");
    }
    const cached: Cached = { ...stored, etag: entity.etag };
    this.cache.set(partitionId, cached);
    return cached;
  }

  private keys(partitionId: string): { partitionKey: string; rowKey: string } {
    this.assertOpen();
    if (!this.configured) {
      throw new EphError("NotConfigured", "Call setEventProcessorHost before using the TableCheckpointer.");
    }
    return { partitionKey: this.configured.partitionKey, rowKey: this.codec.rowKey(partitionId) };
  }

  private contention(partitionId: string, operation: string): EphError {
    return new EphError(
      "StoreUnavailable",
      `${operation} of partition ${partitionId} lost ${MAX_ATTEMPTS} conditional writes in a row to other writers.`,
      { partitionId },
    );
  }

  private fail(failure: StoreFailure, operation: string, partitionId?: string, signal?: AbortSignal): EphError {
    return this.store.fail(failure, operation, partitionId, signal);
  }

  private assertOpen(): void {
    if (this.closed) throw new EphError("Closed", "The TableCheckpointer is closed.");
  }
}

/** Which rule a write would break, fence first (a deposed writer is told so even if it also goes back). */
function judge(stored: StoredCheckpoint, epoch: number, next: Checkpoint): "fenced" | "regressed" | undefined {
  if (epoch < stored.fence) return "fenced";
  if (stored.checkpoint && next.sequenceNumber < stored.checkpoint.sequenceNumber) return "regressed";
  return undefined;
}

function validateEpoch(epoch: unknown, partitionId: string): asserts epoch is number {
  if (typeof epoch !== "number" || !Number.isSafeInteger(epoch) || epoch < 0) {
    throw new EphError("InvalidOption", `epoch must be an integer >= 0, got ${String(epoch)}.`, { partitionId });
  }
}

function validateCheckpoint(checkpoint: Checkpoint, partitionId: string): Checkpoint {
  const bad = (what: string) =>
    new EphError("InvalidOption", `checkpoint.${what} (partition ${partitionId}).`, { partitionId });
  if (typeof checkpoint !== "object" || checkpoint === null) throw bad("must be an object");
  const { offset, sequenceNumber, enqueuedTime } = checkpoint;
  if (typeof offset !== "string") throw bad("offset must be a string");
  if (typeof sequenceNumber !== "number" || !Number.isSafeInteger(sequenceNumber) || sequenceNumber < 0) {
    throw bad(`sequenceNumber must be an integer >= 0, got ${String(sequenceNumber)}`);
  }
  if (!(enqueuedTime instanceof Date) || Number.isNaN(enqueuedTime.getTime())) {
    throw bad("enqueuedTime must be a valid Date");
  }
  // A copy: the caller may reuse or mutate its object after the call.
  return { offset, sequenceNumber, enqueuedTime: new Date(enqueuedTime.getTime()) };
}

function copy(checkpoint: Checkpoint | undefined): Checkpoint | undefined {
  return checkpoint && { ...checkpoint, enqueuedTime: new Date(checkpoint.enqueuedTime.getTime()) };
}
