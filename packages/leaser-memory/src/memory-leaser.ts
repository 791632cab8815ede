import {
  type AcquireLeaseOptions,
  EphError,
  type HostInfo,
  Lease,
  type LeaseMarker,
  type Leaser,
  type Logger,
  type OperationOptions,
  silentLogger,
  throwIfAborted,
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
import { type LeaseRecord, leaseRecord, parseLeaseRecord } from "./lease-record.js";
import { MemoryLeaseStore } from "./memory-lease-store.js";

/** Options of {@link MemoryLeaser}. */
export interface MemoryLeaserOptions {
  /** The store to share with other hosts' leasers. Default: a private store of this leaser's own. */
  store?: MemoryLeaseStore;
  /**
   * Wraps every atomic store operation, to inject latency or faults (see {@link MemoryStoreInterceptor}).
   * Default: each operation takes effect on a later microtask.
   */
  interceptor?: MemoryStoreInterceptor;
  /** Where skipped corrupt records are reported. Default: nowhere. */
  logger?: Logger;
}

/** What this leaser knows of a lease it holds: the epoch it wrote and the version of its last write. */
interface Hold {
  readonly epoch: number;
  readonly version: string;
}

/** Configuration set by `setEventProcessorHost`. */
type Configured = ConfiguredScope;

/** Ensuring a lease retries when the record vanishes between the create and the read, but not forever. */
const maxEnsureAttempts = 8;

/**
 * A {@link Leaser} over an in-process {@link MemoryLeaseStore}. It behaves like a leaser over a real
 * store: every write is conditional on a version, each operation is a separate asynchronous step
 * (concurrent callers interleave between a read and the write after it), and a lost race rejects with
 * `LeaseLost`. One instance per host; hosts share the store object.
 */
export class MemoryLeaser implements Leaser {
  /** The store this leaser reads and writes. */
  readonly store: MemoryLeaseStore;
  private readonly table: RecordTable;
  private readonly interceptor: MemoryStoreInterceptor;
  private readonly logger: Logger;
  private configured: Configured | undefined;
  private readonly holds = new Map<string, Hold>();
  private closed = false;

  /** Creates a leaser on `options.store`, or on a private store when none is given. */
  constructor(options: MemoryLeaserOptions = {}) {
    this.store = options.store ?? new MemoryLeaseStore();
    this.table = recordTableOf(this.store);
    this.interceptor = options.interceptor ?? nextMicrotask;
    this.logger = options.logger ?? silentLogger;
  }

  /** Tells the leaser its host name, namespace, hub and consumer group. */
  setEventProcessorHost(info: HostInfo): void {
    const configured = configureScope(info);
    // Holds belong to the previous scope; carrying them over would let a renewal address the wrong record.
    this.holds.clear();
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

  /** Deletes the store and every lease in it, of every hub; no error if it does not exist. */
  async deleteStore(options?: OperationOptions): Promise<void> {
    this.checkOpen(options);
    await this.run({ operation: "deleteStore" }, options, () => this.table.drop());
    this.holds.clear();
  }

  /** Every readable lease of this hub and consumer group, in partition order; corrupt records are skipped. */
  async getLeases(options?: OperationOptions): Promise<LeaseMarker[]> {
    const { info, scope } = this.checkConfigured(options);
    const records = await this.run({ operation: "list" }, options, () => this.table.list(scope));
    const leases: Lease[] = [];
    for (const [partitionId, stored] of records) {
      try {
        leases.push(toLease(parseLeaseRecord(stored.value, info, partitionId), stored.version));
      } catch (error) {
        this.logger.warning(`Skipping a lease record: ${(error as Error).message}`);
      }
    }
    return leases.sort((a, b) => comparePartitionIds(a.partitionId, b.partitionId));
  }

  /** Returns the partition's lease, creating it unowned at epoch 0 if absent. */
  async ensureLease(partitionId: string, options?: OperationOptions): Promise<LeaseMarker> {
    const { info, scope } = this.checkConfigured(options, partitionId);
    for (let attempt = 0; attempt < maxEnsureAttempts; attempt++) {
      const fresh = leaseRecord(partitionId, 0, "");
      const created = await this.run({ operation: "insert", partitionId }, options, () =>
        this.table.insert(scope, partitionId, fresh, describeRecord(info, partitionId)),
      );
      if (created !== undefined) return toLease(fresh, created);
      const stored = await this.run({ operation: "read", partitionId }, options, () =>
        this.table.read(scope, partitionId),
      );
      if (stored !== undefined) return toLease(parseLeaseRecord(stored.value, info, partitionId), stored.version);
    }
    throw new EphError(
      "StoreUnavailable",
      `The lease of ${describeRecord(info, partitionId)} was deleted ${maxEnsureAttempts} times while being ensured.`,
      { partitionId },
    );
  }

  /** Deletes the partition's lease record; no error if there is none. */
  async deleteLease(partitionId: string, options?: OperationOptions): Promise<void> {
    const { scope } = this.checkConfigured(options, partitionId);
    await this.run({ operation: "delete", partitionId }, options, () => this.table.delete(scope, partitionId));
    this.holds.delete(partitionId);
  }

  /** Takes the lease for this host with one conditional write: owner = this host, epoch + 1. */
  async acquireLease(partitionId: string, options?: AcquireLeaseOptions): Promise<LeaseMarker> {
    const { info, scope } = this.checkConfigured(options, partitionId);
    const expected = options?.expectedVersion;
    const stored = await this.run({ operation: "read", partitionId }, options, () =>
      this.table.read(scope, partitionId),
    );
    if (stored === undefined) {
      throw new EphError("LeaseNotFound", `No lease exists for ${describeRecord(info, partitionId)}.`, {
        partitionId,
      });
    }
    const current = parseLeaseRecord(stored.value, info, partitionId);
    if (expected !== undefined && expected !== stored.version) throw lost(info, partitionId);
    const next = leaseRecord(partitionId, current.epoch + 1, info.hostName);
    const written = await this.run({ operation: "replace", partitionId }, options, () =>
      this.table.replace(scope, partitionId, next, stored.version),
    );
    if (!written.ok) throw lost(info, partitionId);
    this.holds.set(partitionId, { epoch: next.epoch, version: written.version });
    return toLease(next, written.version);
  }

  /** Rewrites a lease this leaser holds, changing its version; owner and epoch stay. */
  async renewLease(partitionId: string, options?: OperationOptions): Promise<LeaseMarker> {
    return this.rewriteHeld(partitionId, options);
  }

  /** Same as {@link MemoryLeaser.renewLease} (the seed's `UpdateLease`). */
  async updateLease(partitionId: string, options?: OperationOptions): Promise<LeaseMarker> {
    return this.rewriteHeld(partitionId, options);
  }

  /** Gives up a held lease: owner becomes `""`, the epoch stays. */
  async releaseLease(partitionId: string, options?: OperationOptions): Promise<void> {
    const { info, scope } = this.checkConfigured(options, partitionId);
    const hold = this.holdOf(info, partitionId);
    const released = leaseRecord(partitionId, hold.epoch, "");
    const written = await this.run({ operation: "replace", partitionId }, options, () =>
      this.table.replace(scope, partitionId, released, hold.version),
    );
    // Either way the hold ends; a concurrent renewal may have replaced it already, so only drop our own.
    this.dropHold(partitionId, hold);
    if (!written.ok) throw lost(info, partitionId);
  }

  /** Stops the leaser: it forgets its holds (the leases stay in the store) and rejects further calls. */
  async close(): Promise<void> {
    this.closed = true;
    this.holds.clear();
  }

  private async rewriteHeld(partitionId: string, options: OperationOptions | undefined): Promise<LeaseMarker> {
    const { info, scope } = this.checkConfigured(options, partitionId);
    const hold = this.holdOf(info, partitionId);
    const next = leaseRecord(partitionId, hold.epoch, info.hostName);
    const written = await this.run({ operation: "replace", partitionId }, options, () =>
      this.table.replace(scope, partitionId, next, hold.version),
    );
    if (!written.ok) {
      this.dropHold(partitionId, hold);
      throw lost(info, partitionId);
    }
    if (this.holds.get(partitionId) === hold)
      this.holds.set(partitionId, { epoch: hold.epoch, version: written.version });
    return toLease(next, written.version);
  }

  private holdOf(info: HostInfo, partitionId: string): Hold {
    const hold = this.holds.get(partitionId);
    if (hold === undefined) throw lost(info, partitionId);
    return hold;
  }

  private dropHold(partitionId: string, hold: Hold): void {
    if (this.holds.get(partitionId) === hold) this.holds.delete(partitionId);
  }

  private checkOpen(options: OperationOptions | undefined): void {
    if (this.closed) throw new EphError("Closed", "This MemoryLeaser was closed.");
    throwIfAborted(options?.abortSignal);
  }

  private checkConfigured(options: OperationOptions | undefined, partitionId?: string): Configured {
    this.checkOpen(options);
    if (this.configured === undefined) {
      throw new EphError("NotConfigured", "Call setEventProcessorHost() on the MemoryLeaser before using leases.");
    }
    if (partitionId !== undefined && (typeof partitionId !== "string" || partitionId === "")) {
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
    return runStoreCall(this.interceptor, full, options?.abortSignal, "in-memory lease store", apply);
  }
}

function toLease(record: LeaseRecord, version: string): Lease {
  return new Lease({ partitionId: record.partitionId, epoch: record.epoch, owner: record.owner, version });
}

function lost(info: HostInfo, partitionId: string): EphError {
  return new EphError(
    "LeaseLost",
    `Host "${info.hostName}" does not hold the lease of ${describeRecord(info, partitionId)}: it changed or was taken.`,
    { partitionId },
  );
}

const digits = /^\d+$/;

/** Numeric partition ids in numeric order ("2" before "10"), before any others, which sort as strings. */
function comparePartitionIds(a: string, b: string): number {
  const aNumeric = digits.test(a);
  const bNumeric = digits.test(b);
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  if (aNumeric && a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
