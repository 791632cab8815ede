import type { Clock } from "../src/clock.js";
import { EphError } from "../src/errors.js";
import type { HostInfo } from "../src/host-info.js";
import type { LeaseMarker } from "../src/lease.js";
import type { OperationOptions } from "../src/operation-options.js";
import type { AcquireLeaseOptions, Leaser } from "../src/store.js";

/** A lease record of {@link LeaseTable}, with the time of its last write. */
export interface StoredLease extends LeaseMarker {
  readonly writtenAt: number;
}

/** What a {@link TableLeaser} call does to the table and to its answer. */
export type CallFault = "none" | "requestLost" | "answerLost";

/** Per-call behaviour of a leaser: answer latency (ms after the write lands) and faults. */
export interface CallPlan {
  /** Time between the write landing and its answer reaching the leaser. Default 0. */
  readonly answerDelay?: number;
  /** `requestLost`: nothing happens and the call fails; `answerLost`: it lands, the call fails. */
  readonly fault?: CallFault;
}

/** Decides the plan of each call: `operation` is the Leaser method's name. */
export type CallPlanner = (operation: string, partitionId: string) => CallPlan;

/**
 * The shared records of the leasers below: one record per partition, conditional writes on a version
 * that changes with every write, as in a blob container.
 */
export class LeaseTable {
  private readonly records = new Map<string, StoredLease>();
  private nextVersion = 1;

  constructor(readonly clock: Clock) {}

  /** Every record. */
  list(): StoredLease[] {
    return [...this.records.values()].map((r) => ({ ...r }));
  }

  /** One record, or `undefined`. */
  get(partitionId: string): StoredLease | undefined {
    const r = this.records.get(partitionId);
    return r && { ...r };
  }

  /** Creates the record unowned at epoch 0 if absent; returns it. */
  ensure(partitionId: string): StoredLease {
    const r = this.records.get(partitionId);
    if (r) return { ...r };
    return this.put(partitionId, 0, "");
  }

  /** Writes the record if its version is still `expected`; `undefined` when it is not (a 412). */
  replace(partitionId: string, expected: string, epoch: number, owner: string): StoredLease | undefined {
    const r = this.records.get(partitionId);
    if (!r || r.version !== expected) return undefined;
    return this.put(partitionId, epoch, owner);
  }

  private put(partitionId: string, epoch: number, owner: string): StoredLease {
    const r = { partitionId, epoch, owner, version: `v${this.nextVersion++}`, writtenAt: this.clock.now() };
    this.records.set(partitionId, r);
    return { ...r };
  }
}

/**
 * A Leaser over a {@link LeaseTable} that behaves like one over a remote store: it learns the version of
 * its own write only when the answer arrives (`answerDelay` later on the clock), a refused write makes
 * it forget the lease, and answers or requests can be lost. It does not recognise its own writes after
 * a refusal, so that what the balancer does about them is tested with any leaser.
 */
export class TableLeaser implements Leaser {
  private hostName = "";
  private readonly held = new Map<string, { epoch: number; version: string }>();

  constructor(
    private readonly table: LeaseTable,
    private readonly plan: CallPlanner = () => ({}),
  ) {}

  setEventProcessorHost(info: HostInfo): void {
    this.hostName = info.hostName;
  }
  async storeExists(): Promise<boolean> {
    return true;
  }
  async ensureStore(): Promise<void> {}
  async deleteStore(): Promise<void> {}
  async getLeases(): Promise<LeaseMarker[]> {
    return this.call("getLeases", "", () => this.table.list().map(marker));
  }
  async ensureLease(partitionId: string): Promise<LeaseMarker> {
    return this.call("ensureLease", partitionId, () => marker(this.table.ensure(partitionId)));
  }
  async deleteLease(): Promise<void> {
    throw new EphError("StoreUnavailable", "not used");
  }
  async acquireLease(partitionId: string, options?: AcquireLeaseOptions): Promise<LeaseMarker> {
    return this.call("acquireLease", partitionId, () => {
      const current = this.table.get(partitionId);
      if (!current) throw new EphError("LeaseNotFound", `no lease ${partitionId}`);
      const expected = options?.expectedVersion ?? current.version;
      const written = this.table.replace(partitionId, expected, current.epoch + 1, this.hostName);
      if (!written) throw new EphError("LeaseLost", `lease ${partitionId} changed`);
      return marker(written);
    }).then((lease) => {
      this.held.set(partitionId, { epoch: lease.epoch, version: lease.version });
      return lease;
    });
  }
  renewLease(partitionId: string, _options?: OperationOptions): Promise<LeaseMarker> {
    return this.rewrite("renewLease", partitionId, true).then((l) => l as LeaseMarker);
  }
  updateLease(partitionId: string): Promise<LeaseMarker> {
    return this.rewrite("updateLease", partitionId, true).then((l) => l as LeaseMarker);
  }
  async releaseLease(partitionId: string): Promise<void> {
    await this.rewrite("releaseLease", partitionId, false);
  }
  async close(): Promise<void> {}

  private async rewrite(operation: string, partitionId: string, keep: boolean): Promise<LeaseMarker> {
    const hold = this.held.get(partitionId);
    if (!hold) throw new EphError("LeaseLost", `${operation}: ${partitionId} is not held`);
    try {
      const lease = await this.call(operation, partitionId, () => {
        const written = this.table.replace(partitionId, hold.version, hold.epoch, keep ? this.hostName : "");
        if (!written) throw new EphError("LeaseLost", `${operation}: lease ${partitionId} changed`);
        return marker(written);
      });
      if (this.held.get(partitionId) === hold) {
        if (keep) this.held.set(partitionId, { epoch: hold.epoch, version: lease.version });
        else this.held.delete(partitionId);
      }
      return lease;
    } catch (error) {
      if (error instanceof EphError && error.code === "LeaseLost" && this.held.get(partitionId) === hold) {
        this.held.delete(partitionId);
      }
      throw error;
    }
  }

  private async call<T>(operation: string, partitionId: string, apply: () => T): Promise<T> {
    const { answerDelay = 0, fault = "none" } = this.plan(operation, partitionId);
    await Promise.resolve();
    if (fault === "requestLost") throw new EphError("StoreUnavailable", `${operation}: request lost`);
    let result: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      result = { ok: true, value: apply() };
    } catch (error) {
      result = { ok: false, error };
    }
    if (answerDelay > 0) await new Promise<void>((resolve) => this.table.clock.setTimeout(resolve, answerDelay));
    if (fault === "answerLost") throw new EphError("StoreUnavailable", `${operation}: answer lost`);
    if (!result.ok) throw result.error;
    return result.value;
  }
}

function marker(r: StoredLease): LeaseMarker {
  return { partitionId: r.partitionId, epoch: r.epoch, owner: r.owner, version: r.version };
}

/** A {@link TableLeaser} named `hostName` in the test hub, every call planned by `plan`. */
export function hostLeaser(table: LeaseTable, hostName: string, plan: CallPlanner = () => ({})): TableLeaser {
  const leaser = new TableLeaser(table, plan);
  leaser.setEventProcessorHost({
    hostName,
    fullyQualifiedNamespace: "ns.servicebus.windows.net",
    eventHubName: "hub",
    consumerGroup: "$Default",
  });
  return leaser;
}
