import { EphError, isEphError } from "./errors.js";
import type { HostInfo } from "./host-info.js";
import { decodeHostRecord, encodeHostRecord, type HostRecord, type HostRecordContent } from "./host-record.js";
import { Lease, type LeaseMarker } from "./lease.js";
import { decodeLease, encodeLease } from "./lease-codec.js";
import type { OperationOptions } from "./operation-options.js";
import { checkBoolean } from "./option-check.js";
import { comparePartitionIds } from "./partition-id.js";
import { RecordBacked, type RecordBackedOptions } from "./record-backed.js";
import { describeRecord } from "./record-format.js";
import type { RecordScope, VersionedRecord, WriteOutcome } from "./record-store.js";
import type { AcquireLeaseOptions, HostRecordWrite, LeaseListing, Leaser } from "./store.js";
import { WriteBatcher } from "./write-batcher.js";

/** Options of {@link RecordLeaser}. */
export interface RecordLeaserOptions extends RecordBackedOptions {
  /**
   * Send lease writes issued in the same turn as one call when the store has batches: creations
   * (`ensureLease`) as one `createMany`, acquisitions, renewals and releases as one `replaceMany` (default true).
   * Must be a boolean (`InvalidOption` otherwise: the string `"false"` is not false).
   */
  readonly groupWrites?: boolean | undefined;
}

/** What this leaser knows of a lease it holds: the epoch it wrote and the version of its last write. */
interface Hold {
  readonly epoch: number;
  readonly version: string;
}

/** The outcome of a lease write after "did my write land?" was answered; a conflict carries what is stored. */
type LeaseWrite =
  | { readonly status: "written"; readonly version: string }
  | { readonly status: "conflict"; readonly current: Lease | undefined };

/**
 * The one retry limit of the lease protocol: how often `ensureLease` tries again when the record
 * vanishes between its create and its read, and `releaseLease` when its own renewals keep landing
 * first. Past it the call fails `StoreUnavailable` (retryable: something keeps changing the record).
 */
export const maxLeaseAttempts = 4;

/**
 * The lease protocol, once, over any {@link RecordStore}: epoch + 1 on acquire, renewals conditional on
 * the version this host last wrote, release that keeps the epoch, and recovery of lost answers — after
 * a conflict or a transient failure it reads the record again, and a record at the owner and epoch it
 * was writing, at a new version, is its own write. Store adapters extend it with their constructor.
 *
 * Storage calls: renew 1 (a batch of them 1 with `replaceMany`), acquire with the version of the last
 * scan 1, `getLeases` 1 listing.
 */
export class RecordLeaser extends RecordBacked implements Leaser {
  readonly #held = new Map<string, Hold>();
  readonly #seen = new Map<string, Lease>();
  readonly #batcher: WriteBatcher | undefined;

  /** A leaser over `options.store` (`InvalidOption` for a malformed option). */
  constructor(options: RecordLeaserOptions) {
    super(options);
    const group = checkBoolean(options.groupWrites, "options.groupWrites") ?? true;
    this.#batcher =
      group && (typeof this.records.replaceMany === "function" || typeof this.records.createMany === "function")
        ? new WriteBatcher(this.records)
        : undefined;
  }

  /** Every readable lease of the scope, in partition order; records that cannot be read are logged and skipped. */
  async getLeases(options?: OperationOptions): Promise<LeaseMarker[]> {
    const info = this.configured(options);
    const { scope } = this.key(info, "lease", "");
    return this.decodeListing(scope, await this.records.list(scope, { ...options, kinds: ["lease"] })).leases;
  }

  /** Leases and host liveness records in one listing; records that cannot be read are logged and skipped. */
  async listLeasesAndHosts(options?: OperationOptions): Promise<LeaseListing> {
    const info = this.configured(options);
    const { scope } = this.key(info, "lease", "");
    return this.decodeListing(scope, await this.records.list(scope, { ...options, kinds: ["lease", "host"] }));
  }

  /**
   * Writes this host's liveness record: a create without `expectedVersion`, else a replace conditional
   * on it. After a conflict or a transient failure it reads the record: at this instance and beat and
   * a new version, the write is ours.
   */
  async writeHostRecord(
    content: HostRecordContent,
    expectedVersion: string | undefined,
    options?: OperationOptions,
  ): Promise<HostRecordWrite> {
    const info = this.configured(options);
    const key = this.key(info, "host", info.hostName);
    const fields = encodeHostRecord(content);
    let failure: unknown;
    try {
      const outcome =
        expectedVersion === undefined
          ? await this.records.create(key, fields, options)
          : await this.records.replace(key, fields, expectedVersion, options);
      if (outcome.status === "written") {
        return { status: "written", record: { hostName: info.hostName, ...content, version: outcome.version } };
      }
    } catch (error) {
      if (!isEphError(error, "StoreUnavailable")) throw error;
      failure = error;
    }
    let current: HostRecord | undefined;
    try {
      const record = await this.records.read(key, options);
      current = record === undefined ? undefined : decodeHostRecord(key.scope, record);
    } catch (error) {
      if (failure !== undefined || !isEphError(error, "CorruptRecord")) throw failure ?? error;
      this.logger.warning(`A host record was overwritten with a record eph cannot read: ${(error as Error).message}`);
    }
    if (
      current !== undefined &&
      current.version !== expectedVersion &&
      current.instance === content.instance &&
      current.beat === content.beat
    ) {
      return { status: "written", record: current };
    }
    if (failure !== undefined && current?.version === expectedVersion) throw failure;
    return { status: "conflict", current };
  }

  /**
   * Deletes this host's liveness record if it is still at `expectedVersion` (unconditionally when
   * `undefined`); no error if it changed or is gone.
   */
  async deleteHostRecord(expectedVersion: string | undefined, options?: OperationOptions): Promise<void> {
    const info = this.configured(options);
    await this.records.delete(this.key(info, "host", info.hostName), expectedVersion, options);
  }

  /** The partition's lease, created unowned at epoch 0 if absent. */
  async ensureLease(partitionId: string, options?: OperationOptions): Promise<LeaseMarker> {
    const info = this.configuredFor(options, partitionId);
    const key = this.key(info, "lease", partitionId);
    for (let attempt = 0; attempt < maxLeaseAttempts; attempt++) {
      let failure: unknown;
      try {
        const fields = encodeLease(0, "");
        const created = this.#batcher
          ? await this.#batcher.create({ ...key, fields }, options)
          : await this.records.create(key, fields, options);
        if (created.status === "written") return this.saw(new Lease({ partitionId, version: created.version }));
      } catch (error) {
        if (!isEphError(error, "StoreUnavailable")) throw error;
        failure = error; // The create may have landed: whoever created it, an existing record is the answer.
      }
      const current = await this.readLease(info, partitionId, options).catch((error: unknown) => {
        throw failure ?? error;
      });
      if (current !== undefined) return copy(current);
      if (failure !== undefined) throw failure;
    }
    throw new EphError(
      "StoreUnavailable",
      `${capital(describeRecord(this.key(info, "lease", partitionId).scope, "lease", partitionId))} was deleted ${maxLeaseAttempts} times while being ensured.`,
      { partitionId },
    );
  }

  /** Deletes the partition's lease record; no error if there is none. */
  async deleteLease(partitionId: string, options?: OperationOptions): Promise<void> {
    const info = this.configuredFor(options, partitionId);
    await this.records.delete(this.key(info, "lease", partitionId), undefined, options);
    this.#held.delete(partitionId);
    this.#seen.delete(partitionId);
  }

  /**
   * Takes the lease with one conditional write: owner = this host, epoch + 1. With the
   * `expectedVersion` of the last `getLeases`, that write is the only call.
   */
  async acquireLease(partitionId: string, options?: AcquireLeaseOptions): Promise<LeaseMarker> {
    const info = this.configuredFor(options, partitionId);
    const expected: unknown = options?.expectedVersion;
    if (expected !== undefined && (typeof expected !== "string" || expected === "")) {
      throw new EphError("InvalidOption", "options.expectedVersion must be a non-empty string when given.", {
        partitionId,
      });
    }
    let base = expected === undefined ? undefined : this.#seen.get(partitionId);
    if (base?.version !== expected) base = undefined;
    if (base === undefined) {
      base = await this.readLease(info, partitionId, options);
      if (base === undefined) {
        throw new EphError(
          "LeaseNotFound",
          `No lease exists: ${describeRecord(this.key(info, "lease", partitionId).scope, "lease", partitionId)}.`,
          {
            partitionId,
          },
        );
      }
      if (expected !== undefined && base.version !== expected) throw this.lost(info, partitionId);
    }
    const epoch = base.epoch + 1;
    const written = await this.writeLease(info, partitionId, epoch, info.hostName, base.version, options);
    if (written.status === "conflict") throw this.lost(info, partitionId);
    this.#held.set(partitionId, { epoch, version: written.version });
    return this.saw(new Lease({ partitionId, epoch, owner: info.hostName, version: written.version }));
  }

  /** Rewrites a held lease, changing its version; owner and epoch stay. `LeaseLost` if it was taken. */
  async renewLease(partitionId: string, options?: OperationOptions): Promise<LeaseMarker> {
    const info = this.configuredFor(options, partitionId);
    const hold = this.holdOf(info, partitionId);
    const written = await this.writeLease(info, partitionId, hold.epoch, info.hostName, hold.version, options);
    if (written.status === "conflict") {
      this.drop(partitionId, hold);
      throw this.lost(info, partitionId);
    }
    // A release or a newer renewal that finished meanwhile has the last word on the hold.
    if (this.#held.get(partitionId) === hold)
      this.#held.set(partitionId, { epoch: hold.epoch, version: written.version });
    return this.saw(new Lease({ partitionId, epoch: hold.epoch, owner: info.hostName, version: written.version }));
  }

  /** Same as {@link RecordLeaser.renewLease} (the seed's `UpdateLease`). */
  async updateLease(partitionId: string, options?: OperationOptions): Promise<LeaseMarker> {
    return this.renewLease(partitionId, options);
  }

  /**
   * Gives a held lease up: owner `""`, epoch kept. When a renewal of this host landed first (the
   * release's condition then fails), the lease is still ours at the same epoch: it releases again at
   * the renewal's version instead of leaving the lease owned until it expires.
   */
  async releaseLease(partitionId: string, options?: OperationOptions): Promise<void> {
    const info = this.configuredFor(options, partitionId);
    const hold = this.holdOf(info, partitionId);
    let version = hold.version;
    for (let attempt = 0; attempt < maxLeaseAttempts; attempt++) {
      const written = await this.writeLease(info, partitionId, hold.epoch, "", version, options);
      const current = written.status === "conflict" ? written.current : undefined;
      if (written.status === "written" || current?.owner !== info.hostName || current.epoch !== hold.epoch) {
        this.#held.delete(partitionId);
        if (written.status === "conflict") throw this.lost(info, partitionId);
        return;
      }
      version = current.version;
    }
    throw new EphError(
      "StoreUnavailable",
      `${capital(describeRecord(this.key(info, "lease", partitionId).scope, "lease", partitionId))} kept changing: ${maxLeaseAttempts} releases lost to this host's own renewals.`,
      {
        partitionId,
      },
    );
  }

  private decodeListing(scope: RecordScope, records: readonly VersionedRecord[]): LeaseListing {
    const leases: Lease[] = [];
    const hosts: HostRecord[] = [];
    for (const record of records) {
      try {
        if (record.kind === "host") hosts.push(decodeHostRecord(scope, record));
        else {
          const lease = decodeLease(scope, record);
          this.#seen.set(lease.partitionId, lease);
          leases.push(lease);
        }
      } catch (error) {
        this.logger.warning(`Skipping a ${record.kind} record: ${(error as Error).message}`);
      }
    }
    leases.sort((a, b) => comparePartitionIds(a.partitionId, b.partitionId));
    return { leases: leases.map(copy), hosts };
  }

  /** Forgets holds and what listings showed. */
  protected forget(): void {
    this.#held.clear();
    this.#seen.clear();
  }

  /**
   * Writes (epoch, owner) conditional on `version`, then answers "did my write land?" when the store
   * could not: after a conflict, or a transient failure whose answer may be lost, it reads the record;
   * at (epoch, owner) and a new version, the write is ours (ours, or a concurrent one of this host's).
   */
  private async writeLease(
    info: HostInfo,
    partitionId: string,
    epoch: number,
    owner: string,
    version: string,
    options: OperationOptions | undefined,
  ): Promise<LeaseWrite> {
    const key = this.key(info, "lease", partitionId);
    const fields = encodeLease(epoch, owner);
    let failure: unknown;
    try {
      const outcome: WriteOutcome = this.#batcher
        ? await this.#batcher.replace({ ...key, fields, expectedVersion: version }, options)
        : await this.records.replace(key, fields, version, options);
      if (outcome.status === "written") return outcome;
    } catch (error) {
      if (!isEphError(error, "StoreUnavailable")) throw error;
      failure = error;
    }
    let current: Lease | undefined;
    try {
      current = await this.readLease(info, partitionId, options);
    } catch (error) {
      if (failure !== undefined) throw failure;
      if (!isEphError(error, "CorruptRecord")) throw error;
      this.logger.warning(`A lease was overwritten with a record eph cannot read: ${(error as Error).message}`);
    }
    if (current !== undefined && current.version !== version && current.epoch === epoch && current.owner === owner) {
      this.logger.verbose(
        `The write of the lease of partition "${partitionId}" landed though the store did not say so.`,
      );
      return { status: "written", version: current.version };
    }
    // Transient failure and the record is as it was: the write did not land, and the caller may retry.
    if (failure !== undefined && current?.version === version) throw failure;
    return { status: "conflict", current };
  }

  private async readLease(
    info: HostInfo,
    partitionId: string,
    options: OperationOptions | undefined,
  ): Promise<Lease | undefined> {
    const key = this.key(info, "lease", partitionId);
    const record = await this.records.read(key, options);
    if (record === undefined) {
      this.#seen.delete(partitionId);
      return undefined;
    }
    return this.saw(decodeLease(key.scope, record));
  }

  private saw(lease: Lease): Lease {
    this.#seen.set(lease.partitionId, lease);
    return copy(lease);
  }

  private holdOf(info: HostInfo, partitionId: string): Hold {
    const hold = this.#held.get(partitionId);
    if (hold === undefined) throw this.lost(info, partitionId);
    return hold;
  }

  private drop(partitionId: string, hold: Hold): void {
    if (this.#held.get(partitionId) === hold) this.#held.delete(partitionId);
  }

  private lost(info: HostInfo, partitionId: string): EphError {
    const record = describeRecord(this.key(info, "lease", partitionId).scope, "lease", partitionId);
    return new EphError("LeaseLost", `Host "${info.hostName}" does not hold ${record}: it changed or was taken.`, {
      partitionId,
    });
  }
}

function copy(lease: Lease): Lease {
  return new Lease(lease);
}

function capital(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}
