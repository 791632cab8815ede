import { type Checkpoint, isRegression } from "./checkpoint.js";
import {
  type CheckpointCodec,
  type CheckpointState,
  checkCheckpoint,
  checkEpoch,
  defaultCheckpointCodec,
} from "./checkpoint-codec.js";
import { EphError } from "./errors.js";
import type { HostInfo } from "./host-info.js";
import { lagBaseline } from "./lag-baseline.js";
import type { OperationOptions } from "./operation-options.js";
import { RecordBacked, type RecordBackedOptions } from "./record-backed.js";
import { describeRecord } from "./record-format.js";
import type { Checkpointer, EnsureCheckpointOptions, UpdateCheckpointOptions } from "./store.js";

/** Options of {@link RecordCheckpointer}. */
export interface RecordCheckpointerOptions extends RecordBackedOptions {
  /**
   * How checkpoint state becomes record fields and back, for adapters that keep a foreign layout (the
   * official Event Hubs checkpoint stores'). Default: core's own fields ({@link defaultCheckpointCodec}).
   */
  readonly codec?: CheckpointCodec | undefined;
}

/** A record as this instance last read or wrote it. */
interface Snapshot extends CheckpointState {
  readonly version: string;
}

/**
 * Each lost race means another instance changed the record; after this many in a row a call gives up
 * with `StoreUnavailable` and the caller's retry policy decides. An instance never races itself (its
 * writes to one partition are applied one after another), so only other hosts count.
 */
export const maxCheckpointAttempts = 16;

/**
 * The checkpoint protocol, once, over any {@link RecordStore}: a fence per partition raised by
 * `ensureCheckpoint` and by accepted writes, and positions that never move backwards (`isRegression`).
 *
 * Writes are judged on the stored record, never on a cached copy: the cache of this instance's last
 * write only lets the common case cost one conditional write. This instance's calls for one partition
 * run in call order, so 32 concurrent `updateCheckpoint`s of one owner cost 32 writes and end at the
 * last; a call whose position is below the stored one (one of its own, issued earlier, landed later…
 * which call order excludes) is `CheckpointRegressed`. A write whose answer was lost drops the cache:
 * the caller's retry reads the record, and an equal position at the same epoch is an idempotent success.
 */
export class RecordCheckpointer extends RecordBacked implements Checkpointer {
  readonly #cache = new Map<string, Snapshot>();
  readonly #queues = new Map<string, Promise<unknown>>();
  readonly #codec: CheckpointCodec;

  /** A checkpointer over `options.store` (`InvalidOption` for a malformed option). */
  constructor(options: RecordCheckpointerOptions) {
    super(options);
    const codec: unknown = options.codec ?? defaultCheckpointCodec;
    const { encode, decode } = (codec ?? {}) as Partial<CheckpointCodec>;
    if (typeof encode !== "function" || typeof decode !== "function") {
      throw new EphError("InvalidOption", "options.codec must have encode and decode functions.");
    }
    this.#codec = codec as CheckpointCodec;
  }

  /** The stored checkpoint, or `undefined` when the partition has no record or no position yet. */
  async getCheckpoint(partitionId: string, options?: OperationOptions): Promise<Checkpoint | undefined> {
    const info = this.configuredFor(options, partitionId);
    return copy((await this.read(info, partitionId, options))?.position);
  }

  /** The partition's fence (the highest epoch raised or written); 0 when it has no record. */
  async getFence(partitionId: string, options?: OperationOptions): Promise<number> {
    const info = this.configuredFor(options, partitionId);
    return (await this.read(info, partitionId, options))?.fence ?? 0;
  }

  /** Creates the record if missing and raises its fence to `options.epoch`; returns the stored position. */
  async ensureCheckpoint(partitionId: string, options?: EnsureCheckpointOptions): Promise<Checkpoint | undefined> {
    const info = this.configuredFor(options, partitionId);
    const epoch = options?.epoch;
    if (epoch !== undefined) checkEpoch(epoch, "options.epoch", partitionId);
    return this.inOrder(partitionId, async () => {
      for (let attempt = 0; attempt < maxCheckpointAttempts; attempt++) {
        const snapshot = await this.read(info, partitionId, options);
        if (snapshot === undefined) {
          const baseline = await this.baseline(undefined, partitionId, options);
          const state = { fence: epoch ?? 0, position: undefined, baseline };
          if (await this.write(info, partitionId, state, undefined, options)) return undefined;
        } else if (epoch === undefined || epoch <= snapshot.fence) {
          return copy(snapshot.position);
        } else {
          const baseline = await this.baseline(snapshot, partitionId, options);
          const state = { fence: epoch, position: snapshot.position, baseline };
          if (await this.write(info, partitionId, state, snapshot.version, options)) return copy(snapshot.position);
        }
      }
      throw this.contended(info, partitionId);
    });
  }

  /**
   * Stores a position written under lease epoch `options.epoch`: `CheckpointFenced` below the fence,
   * `CheckpointRegressed` below the stored position; an equal one is a success that changes nothing
   * unless it raises the fence. Creates the record when there is none. Bad input is `InvalidOption`
   * before anything is written, so no record is ever stored that would later read as corrupt.
   */
  async updateCheckpoint(partitionId: string, checkpoint: Checkpoint, options: UpdateCheckpointOptions): Promise<void> {
    const info = this.configuredFor(options, partitionId);
    checkCheckpoint(checkpoint, partitionId);
    checkEpoch(options?.epoch, "options.epoch", partitionId);
    const { epoch } = options;
    const position = {
      offset: checkpoint.offset,
      sequenceNumber: checkpoint.sequenceNumber,
      enqueuedTime: new Date(checkpoint.enqueuedTime),
    };
    await this.inOrder(partitionId, async () => {
      let snapshot = this.#cache.get(partitionId);
      let fresh = snapshot === undefined;
      if (snapshot === undefined) snapshot = await this.read(info, partitionId, options);
      for (let attempt = 0; attempt < maxCheckpointAttempts; attempt++) {
        if (snapshot === undefined) {
          if (await this.write(info, partitionId, { fence: epoch, position }, undefined, options)) return;
        } else {
          const refusal = this.refusal(info, partitionId, snapshot, position, epoch);
          const unchanged =
            refusal === undefined &&
            snapshot.position?.sequenceNumber === position.sequenceNumber &&
            epoch <= snapshot.fence;
          if (refusal === undefined && !unchanged) {
            const next = { fence: Math.max(epoch, snapshot.fence), position };
            if (await this.write(info, partitionId, next, snapshot.version, options)) return;
          } else if (fresh) {
            // Refusals are judged on a record just read, never on the cache: another host may have
            // deleted or rewritten it since this instance's last write.
            if (refusal !== undefined) throw refusal;
            return;
          }
        }
        snapshot = await this.read(info, partitionId, options);
        fresh = true;
      }
      throw this.contended(info, partitionId);
    });
  }

  /** Deletes the partition's checkpoint record; no error if there is none. */
  async deleteCheckpoint(partitionId: string, options?: OperationOptions): Promise<void> {
    const info = this.configuredFor(options, partitionId);
    await this.inOrder(partitionId, async () => {
      this.#cache.delete(partitionId);
      await this.records.delete(this.key(info, "checkpoint", partitionId), undefined, options);
    });
  }

  /** Drops the cache of last writes. */
  protected forget(): void {
    this.#cache.clear();
  }

  /** Runs `task` after every earlier call of this instance for the partition has settled. */
  private inOrder<T>(partitionId: string, task: () => Promise<T>): Promise<T> {
    const result = (this.#queues.get(partitionId) ?? Promise.resolve()).then(task);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(partitionId, settled);
    void settled.then(() => {
      if (this.#queues.get(partitionId) === settled) this.#queues.delete(partitionId);
    });
    return result;
  }

  /**
   * The lag baseline a record without a position keeps, for codecs that keep one: the stored one, or
   * asked once when the record has neither a position nor a baseline (a new owner raising the fence
   * keeps the baseline it finds, without asking Event Hubs again).
   */
  private async baseline(
    stored: CheckpointState | undefined,
    partitionId: string,
    options: EnsureCheckpointOptions | undefined,
  ): Promise<number | undefined> {
    if (!this.#codec.keepsBaseline || stored?.position !== undefined) return undefined;
    return stored?.baseline ?? (await lagBaseline(options, partitionId, this.logger));
  }

  /** Fencing first: a deposed writer must learn that it is deposed, whatever position it sends. */
  private refusal(
    info: HostInfo,
    partitionId: string,
    stored: Snapshot,
    next: Checkpoint,
    epoch: number,
  ): EphError | undefined {
    const record = describeRecord(this.key(info, "checkpoint", partitionId).scope, "checkpoint", partitionId);
    if (epoch < stored.fence) {
      return new EphError(
        "CheckpointFenced",
        `Write to ${record} refused: written under epoch ${epoch}, but the partition's fence is at epoch ${stored.fence}.`,
        { partitionId },
      );
    }
    if (isRegression(stored.position, next)) {
      return new EphError(
        "CheckpointRegressed",
        `Write to ${record} refused: sequence number ${next.sequenceNumber} is below the stored ${stored.position?.sequenceNumber}.`,
        { partitionId },
      );
    }
    return undefined;
  }

  /** Reads and decodes the record, caching it; `undefined` when there is none. */
  private async read(
    info: HostInfo,
    partitionId: string,
    options: OperationOptions | undefined,
  ): Promise<Snapshot | undefined> {
    const key = this.key(info, "checkpoint", partitionId);
    this.#cache.delete(partitionId);
    const record = await this.records.read(key, options);
    if (record === undefined) return undefined;
    const snapshot = { ...this.#codec.decode(key.scope, record), version: record.version };
    this.#cache.set(partitionId, snapshot);
    return snapshot;
  }

  /** Creates (no `version`) or replaces the record; false when another write got there first. */
  private async write(
    info: HostInfo,
    partitionId: string,
    state: CheckpointState,
    version: string | undefined,
    options: OperationOptions | undefined,
  ): Promise<boolean> {
    const key = this.key(info, "checkpoint", partitionId);
    const fields = this.#codec.encode(state);
    this.#cache.delete(partitionId);
    const outcome =
      version === undefined
        ? await this.records.create(key, fields, options)
        : await this.records.replace(key, fields, version, options);
    if (outcome.status === "conflict") return false;
    this.#cache.set(partitionId, { ...state, version: outcome.version });
    return true;
  }

  private contended(info: HostInfo, partitionId: string): EphError {
    const record = describeRecord(this.key(info, "checkpoint", partitionId).scope, "checkpoint", partitionId);
    return new EphError(
      "StoreUnavailable",
      `${record.charAt(0).toUpperCase()}${record.slice(1)} kept changing: ${maxCheckpointAttempts} conditional writes in a row lost.`,
      { partitionId },
    );
  }
}

function copy(position: Checkpoint | undefined): Checkpoint | undefined {
  return (
    position && {
      offset: position.offset,
      sequenceNumber: position.sequenceNumber,
      enqueuedTime: new Date(position.enqueuedTime),
    }
  );
}
