import type { Checkpoint } from "./checkpoint.js";
import type { EventProcessHostSetter } from "./host-info.js";
import type { HostRecord, HostRecordContent } from "./host-record.js";
import type { LeaseMarker } from "./lease.js";
import type { OperationOptions } from "./operation-options.js";

/** The seed's `StoreProvisioner`: create, check and remove the backing store (container, table…). */
export interface StoreProvisioner {
  /** True when the backing store exists. */
  storeExists(options?: OperationOptions): Promise<boolean>;
  /** Creates the backing store if missing. Safe when many hosts call it at once. */
  ensureStore(options?: OperationOptions): Promise<void>;
  /** Deletes the backing store and everything in it. */
  deleteStore(options?: OperationOptions): Promise<void>;
}

/** Options of {@link Leaser.acquireLease}. */
export interface AcquireLeaseOptions extends OperationOptions {
  /**
   * The version of the lease the caller observed and decided to take. The write is conditional on it:
   * if the lease changed since (renewed, taken by someone else), the call fails with `LeaseLost`.
   * When omitted the leaser reads the current record first and takes whatever is there.
   */
  expectedVersion?: string;
}

/** What one scan reads: every lease and every host liveness record of the scope, from one listing. */
export interface LeaseListing {
  /** The leases, in partition order. */
  readonly leases: LeaseMarker[];
  /** The hosts' liveness records. */
  readonly hosts: HostRecord[];
}

/**
 * The result of {@link Leaser.writeHostRecord}. `"conflict"`: the record was not at the expected
 * version (another process wrote it, or it is gone); `current` is what is stored now, `undefined`
 * when there is no readable record.
 */
export type HostRecordWrite =
  | { readonly status: "written"; readonly record: HostRecord }
  | { readonly status: "conflict"; readonly current: HostRecord | undefined };

/**
 * The seed's `Leaser`: persists and coordinates partition leases. One instance per host; it remembers
 * the version of every lease it holds so that renewals and releases are conditional.
 *
 * Every write is conditional on the version last seen (compare-and-swap); a lost race rejects with an
 * `EphError` of code `LeaseLost`, which is the Go `false` result.
 */
export interface Leaser extends StoreProvisioner, EventProcessHostSetter {
  /** Every lease of this namespace, hub and consumer group, read in as few calls as the store allows. */
  getLeases(options?: OperationOptions): Promise<LeaseMarker[]>;
  /** Returns the lease of the partition, creating an unowned one (epoch 0) if none exists. Idempotent. */
  ensureLease(partitionId: string, options?: OperationOptions): Promise<LeaseMarker>;
  /** Deletes the lease record of the partition (no error if it does not exist). */
  deleteLease(partitionId: string, options?: OperationOptions): Promise<void>;
  /**
   * Takes the lease for this host: owner becomes this host and the epoch increments, in one
   * conditional write. Works on unowned, expired and owned leases alike (stealing is the caller's
   * decision). Rejects with `LeaseLost` if another write got there first.
   */
  acquireLease(partitionId: string, options?: AcquireLeaseOptions): Promise<LeaseMarker>;
  /**
   * Extends a lease this host holds: a conditional write that changes the version (which is what tells
   * observers the owner is alive) and keeps owner and epoch. `LeaseLost` if it was taken.
   */
  renewLease(partitionId: string, options?: OperationOptions): Promise<LeaseMarker>;
  /** Gives a held lease up: owner becomes `""`, epoch is kept. `LeaseLost` if this host no longer held it. */
  releaseLease(partitionId: string, options?: OperationOptions): Promise<void>;
  /** Rewrites a held lease (the seed's `UpdateLease`); same conditions and result as `renewLease`. */
  updateLease(partitionId: string, options?: OperationOptions): Promise<LeaseMarker>;
  /**
   * Optional, for heartbeat lease upkeep: the leases and the hosts' liveness records in one listing (as
   * many calls as `getLeases`). A Leaser without it keeps per-partition renewal.
   */
  listLeasesAndHosts?(options?: OperationOptions): Promise<LeaseListing>;
  /**
   * Optional, for heartbeat lease upkeep: writes this host's liveness record, creating it when
   * `expectedVersion` is `undefined` and otherwise replacing it only if it is still at that version. A
   * write whose answer was lost is recognised by its instance and beat and reported `"written"`.
   */
  writeHostRecord?(
    content: HostRecordContent,
    expectedVersion: string | undefined,
    options?: OperationOptions,
  ): Promise<HostRecordWrite>;
  /**
   * Optional, for heartbeat lease upkeep: deletes this host's liveness record if it is still at
   * `expectedVersion` (whatever it holds when `undefined`: a record eph cannot read).
   */
  deleteHostRecord?(expectedVersion: string | undefined, options?: OperationOptions): Promise<void>;
  /** Releases resources held by the leaser (not the leases: release them first). */
  close(): Promise<void>;
}

/** Options of {@link Checkpointer.ensureCheckpoint}. */
export interface EnsureCheckpointOptions extends OperationOptions {
  /**
   * The epoch of the lease the caller just acquired. The partition's fence is raised to it (never
   * lowered), so that from now on checkpoint writes from any earlier owner are refused.
   */
  epoch?: number;
  /**
   * Asks Event Hubs for the partition's last enqueued sequence number (-1 when empty). A store whose
   * records other tools read as lag (`@eph/checkpointer-blob`, read by KEDA) calls it only when it
   * writes a record without a position, and keeps the answer there, so that a partition nobody has
   * checkpointed yet reads as the events enqueued since, not as its whole history. Other stores ignore
   * it; its failure never fails the call. The host passes its client's `getPartitionProperties`.
   */
  lastEnqueuedSequenceNumber?: (options: OperationOptions) => Promise<number>;
}

/** Options of {@link Checkpointer.updateCheckpoint}. */
export interface UpdateCheckpointOptions extends OperationOptions {
  /** The epoch of the writer's lease: the fencing token. Refused with `CheckpointFenced` if stale. */
  epoch: number;
}

/**
 * The seed's `Checkpointer`: durable positions per partition, fenced by lease epochs.
 *
 * A write carries the writer's epoch; the store refuses it (`CheckpointFenced`) when the partition's
 * fence is higher, and refuses a position lower than the stored one (`CheckpointRegressed`).
 */
export interface Checkpointer extends StoreProvisioner, EventProcessHostSetter {
  /** The stored checkpoint, or `undefined` when the partition has none (Go's `false`). */
  getCheckpoint(partitionId: string, options?: OperationOptions): Promise<Checkpoint | undefined>;
  /**
   * Creates the partition's record if missing, raises its fence to `options.epoch` if given, and returns
   * the stored checkpoint (`undefined` when no position was ever written). Idempotent.
   */
  ensureCheckpoint(partitionId: string, options?: EnsureCheckpointOptions): Promise<Checkpoint | undefined>;
  /**
   * The partition's fence: the highest epoch raised by `ensureCheckpoint` or carried by an accepted
   * `updateCheckpoint`; 0 when the partition has no record. Optional: a host that took a partition from a
   * live owner polls it to start reading as soon as that owner has stored its last position and let go
   * (the owner signals it by raising the fence above its own epoch); without it the host waits its full
   * `handoffTimeout`.
   */
  getFence?(partitionId: string, options?: OperationOptions): Promise<number>;
  /** Stores a new position, conditional on the writer's epoch and on never moving backwards. */
  updateCheckpoint(partitionId: string, checkpoint: Checkpoint, options: UpdateCheckpointOptions): Promise<void>;
  /** Deletes the partition's checkpoint record (no error if it does not exist). */
  deleteCheckpoint(partitionId: string, options?: OperationOptions): Promise<void>;
  /** Releases resources held by the checkpointer. */
  close(): Promise<void>;
}
