import {
  type Checkpoint,
  type Checkpointer,
  type EnsureCheckpointOptions,
  EphError,
  type HostInfo,
  type OperationOptions,
  throwIfAborted,
  type UpdateCheckpointOptions,
} from "@eph/core";
import {
  type ConfiguredScope,
  configureScope,
  describeRecord,
  type MemoryStoreCall,
  type MemoryStoreInterceptor,
  nextMicrotask,
  type RecordTable,
  recordTableOf,
  runStoreCall,
} from "@eph/memory-common";
import {
  type CheckpointRecord,
  checkpointRecord,
  parseCheckpointRecord,
  toCheckpoint,
  validateCheckpoint,
  validateEpoch,
  withFence,
} from "./checkpoint-record.js";
import { MemoryCheckpointStore } from "./memory-checkpoint-store.js";

/** Options of {@link MemoryCheckpointer}. */
export interface MemoryCheckpointerOptions {
  /** The store to share with other hosts' checkpointers. Default: a private store of this instance's own. */
  store?: MemoryCheckpointStore;
  /**
   * Wraps every atomic store operation, to inject latency or faults (see {@link MemoryStoreInterceptor}).
   * Default: each operation takes effect on a later microtask.
   */
  interceptor?: MemoryStoreInterceptor;
}

/** A record as this instance last read or wrote it, with the version of that moment. */
interface Snapshot {
  readonly record: CheckpointRecord;
  readonly version: string;
}

/** Configuration set by `setEventProcessorHost`. */
type Configured = ConfiguredScope;

/**
 * Each lost race means another writer changed the record; after this many in a row the call gives up
 * with `StoreUnavailable` and the caller's retry policy decides.
 */
const maxAttempts = 16;

/**
 * A {@link Checkpointer} over an in-process {@link MemoryCheckpointStore}, fenced by lease epochs. It
 * works the way an adapter over a real store must: read, decide, then write conditionally on the version
 * read, re-reading after a lost race; it caches its own last write so the common case is one operation.
 */
export class MemoryCheckpointer implements Checkpointer {
  /** The store this checkpointer reads and writes. */
  readonly store: MemoryCheckpointStore;
  private readonly table: RecordTable;
  private readonly interceptor: MemoryStoreInterceptor;
  private configured: Configured | undefined;
  private readonly snapshots = new Map<string, Snapshot>();
  private closed = false;

  /** Creates a checkpointer on `options.store`, or on a private store when none is given. */
  constructor(options: MemoryCheckpointerOptions = {}) {
    this.store = options.store ?? new MemoryCheckpointStore();
    this.table = recordTableOf(this.store);
    this.interceptor = options.interceptor ?? nextMicrotask;
  }

  /** Tells the checkpointer its host name, namespace, hub and consumer group. */
  setEventProcessorHost(info: HostInfo): void {
    const configured = configureScope(info);
    this.snapshots.clear();
    this.configured = configured;
  }

  /** True when the store exists. */
  async storeExists(options?: OperationOptions): Promise<boolean> {
    this.checkOpen(options);
    return this.run({ operation: "storeExists" }, options, () => this.table.exists);
  }

  /** Creates the store if it does not exist. */
  async ensureStore(options?: OperationOptions): Promise<void> {
    this.checkOpen(options);
    await this.run({ operation: "ensureStore" }, options, () => this.table.create());
  }

  /** Deletes the store and every checkpoint in it, of every hub; no error if it does not exist. */
  async deleteStore(options?: OperationOptions): Promise<void> {
    this.checkOpen(options);
    await this.run({ operation: "deleteStore" }, options, () => this.table.drop());
    this.snapshots.clear();
  }

  /** The stored checkpoint, or `undefined` when the partition has no record or no position yet. */
  async getCheckpoint(partitionId: string, options?: OperationOptions): Promise<Checkpoint | undefined> {
    const configured = this.checkConfigured(options, partitionId);
    const snapshot = await this.read(configured, partitionId, options);
    return snapshot && toCheckpoint(snapshot.record.position);
  }

  /** The partition's fence (the highest epoch raised or written); 0 when it has no record. */
  async getFence(partitionId: string, options?: OperationOptions): Promise<number> {
    const configured = this.checkConfigured(options, partitionId);
    const snapshot = await this.read(configured, partitionId, options);
    return snapshot?.record.fence ?? 0;
  }

  /** Creates the record if missing and raises its fence to `options.epoch`; returns the stored position. */
  async ensureCheckpoint(partitionId: string, options?: EnsureCheckpointOptions): Promise<Checkpoint | undefined> {
    const configured = this.checkConfigured(options, partitionId);
    const epoch = options?.epoch;
    if (epoch !== undefined) validateEpoch(epoch, "options.epoch", partitionId);
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const snapshot = await this.read(configured, partitionId, options);
      if (snapshot === undefined) {
        if (await this.insert(configured, checkpointRecord(partitionId, epoch ?? 0, null), options)) return undefined;
        continue;
      }
      const { record } = snapshot;
      if (epoch !== undefined && epoch > record.fence) {
        if (!(await this.replace(configured, withFence(record, epoch), snapshot.version, options))) continue;
      }
      return toCheckpoint(record.position);
    }
    throw this.contended(configured.info, partitionId);
  }

  /**
   * Stores a position written under lease epoch `options.epoch`: refused with `CheckpointFenced` below the
   * fence, `CheckpointRegressed` below the stored sequence number; equal is a success that changes
   * nothing unless it raises the fence. Creates the record when there is none.
   */
  async updateCheckpoint(partitionId: string, checkpoint: Checkpoint, options: UpdateCheckpointOptions): Promise<void> {
    const configured = this.checkConfigured(options, partitionId);
    validateCheckpoint(checkpoint, partitionId);
    const epoch = options?.epoch;
    validateEpoch(epoch, "options.epoch", partitionId);
    // Trust the cache only to attempt a write (the write is conditional, so a stale cache just loses);
    // never refuse on it, because another writer may have moved the record since.
    let snapshot = this.snapshots.get(partitionId);
    let fresh = snapshot === undefined;
    if (snapshot === undefined) snapshot = await this.read(configured, partitionId, options);
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      if (snapshot === undefined) {
        if (await this.insert(configured, checkpointRecord(partitionId, epoch, checkpoint), options)) return;
      } else {
        const { record } = snapshot;
        const refusal = this.refusal(configured.info, record, checkpoint, epoch, partitionId);
        const unchanged =
          refusal === undefined &&
          record.position?.sequenceNumber === checkpoint.sequenceNumber &&
          epoch <= record.fence;
        if (refusal === undefined && !unchanged) {
          const next = checkpointRecord(partitionId, Math.max(epoch, record.fence), checkpoint);
          if (await this.replace(configured, next, snapshot.version, options)) return;
        } else if (fresh) {
          if (refusal !== undefined) throw refusal;
          return;
        }
      }
      snapshot = await this.read(configured, partitionId, options);
      fresh = true;
    }
    throw this.contended(configured.info, partitionId);
  }

  /** Deletes the partition's checkpoint record; no error if there is none. */
  async deleteCheckpoint(partitionId: string, options?: OperationOptions): Promise<void> {
    const { scope } = this.checkConfigured(options, partitionId);
    await this.run({ operation: "delete", partitionId }, options, () => this.table.delete(scope, partitionId));
    this.snapshots.delete(partitionId);
  }

  /** Stops the checkpointer; the checkpoints stay in the store and further calls reject `Closed`. */
  async close(): Promise<void> {
    this.closed = true;
    this.snapshots.clear();
  }

  private refusal(
    info: HostInfo,
    record: CheckpointRecord,
    checkpoint: Checkpoint,
    epoch: number,
    partitionId: string,
  ): EphError | undefined {
    // Fencing first: a deposed writer must learn that it is deposed, whatever position it sends.
    if (epoch < record.fence) {
      return new EphError(
        "CheckpointFenced",
        `Checkpoint of ${describeRecord(info, partitionId)} refused: written under epoch ${epoch}, but the partition's fence is at epoch ${record.fence}.`,
        { partitionId },
      );
    }
    const stored = record.position?.sequenceNumber;
    if (stored !== undefined && checkpoint.sequenceNumber < stored) {
      return new EphError(
        "CheckpointRegressed",
        `Checkpoint of ${describeRecord(info, partitionId)} refused: sequence number ${checkpoint.sequenceNumber} is below the stored ${stored}.`,
        { partitionId },
      );
    }
    return undefined;
  }

  /** Reads and parses the record, caching it; `undefined` when there is none. */
  private async read(
    { info, scope }: Configured,
    partitionId: string,
    options: OperationOptions | undefined,
  ): Promise<Snapshot | undefined> {
    const stored = await this.run({ operation: "read", partitionId }, options, () =>
      this.table.read(scope, partitionId),
    );
    if (stored === undefined) {
      this.snapshots.delete(partitionId);
      return undefined;
    }
    let record: CheckpointRecord;
    try {
      record = parseCheckpointRecord(stored.value, info, partitionId);
    } catch (error) {
      this.snapshots.delete(partitionId);
      throw error;
    }
    const snapshot = { record, version: stored.version };
    this.snapshots.set(partitionId, snapshot);
    return snapshot;
  }

  /** Creates the record if absent; false when one already exists. */
  private async insert(
    { info, scope }: Configured,
    record: CheckpointRecord,
    options: OperationOptions | undefined,
  ): Promise<boolean> {
    const { partitionId } = record;
    const version = await this.run({ operation: "insert", partitionId }, options, () =>
      this.table.insert(scope, partitionId, record, describeRecord(info, partitionId)),
    );
    if (version === undefined) return false;
    this.snapshots.set(partitionId, { record, version });
    return true;
  }

  /** Replaces the record if it is still at `ifMatch`; false when another write got there first. */
  private async replace(
    { scope }: Configured,
    record: CheckpointRecord,
    ifMatch: string,
    options: OperationOptions | undefined,
  ): Promise<boolean> {
    const { partitionId } = record;
    const result = await this.run({ operation: "replace", partitionId }, options, () =>
      this.table.replace(scope, partitionId, record, ifMatch),
    );
    if (!result.ok) return false;
    this.snapshots.set(partitionId, { record, version: result.version });
    return true;
  }

  private contended(info: HostInfo, partitionId: string): EphError {
    return new EphError(
      "StoreUnavailable",
      `The checkpoint of ${describeRecord(info, partitionId)} kept changing: ${maxAttempts} conditional writes in a row lost.`,
      { partitionId },
    );
  }

  private checkOpen(options: OperationOptions | undefined): void {
    if (this.closed) throw new EphError("Closed", "This MemoryCheckpointer was closed.");
    throwIfAborted(options?.abortSignal);
  }

  private checkConfigured(options: OperationOptions | undefined, partitionId: string): Configured {
    this.checkOpen(options);
    if (this.configured === undefined) {
      throw new EphError(
        "NotConfigured",
        "Call setEventProcessorHost() on the MemoryCheckpointer before using checkpoints.",
      );
    }
    if (typeof partitionId !== "string" || partitionId === "") {
      throw new EphError(
        "InvalidOption",
        `partitionId must be a non-empty string, got ${JSON.stringify(partitionId)}.`,
      );
    }
    return this.configured;
  }

  /** Runs one atomic operation through the interceptor, checking the abort signal when it takes effect. */
  private async run<T>(
    call: Omit<MemoryStoreCall, "hostName">,
    options: OperationOptions | undefined,
    apply: () => T,
  ): Promise<T> {
    const full: MemoryStoreCall = { ...call, hostName: this.configured?.info.hostName };
    return runStoreCall(this.interceptor, full, options?.abortSignal, "in-memory checkpoint store", apply);
  }
}
