import type { ResolvedTiming } from "./balancer-options.js";
import type { Clock, TimerHandle } from "./clock.js";
import { EphError } from "./errors.js";
import type { HostRecord } from "./host-record.js";
import type { Logger } from "./logger.js";
import type { RandomSource } from "./random.js";
import type { HostRecordWrite, Leaser } from "./store.js";

/** A Leaser that keeps host liveness records. */
export type HeartbeatLeaser = Leaser &
  Required<Pick<Leaser, "listLeasesAndHosts" | "writeHostRecord" | "deleteHostRecord">>;

/** True when the leaser can keep host liveness records. */
export function keepsHostRecords(leaser: Leaser): leaser is HeartbeatLeaser {
  return (
    typeof leaser.listLeasesAndHosts === "function" &&
    typeof leaser.writeHostRecord === "function" &&
    typeof leaser.deleteHostRecord === "function"
  );
}

/** What the heartbeat needs from its balancer. */
export interface HeartbeatOptions {
  readonly leaser: HeartbeatLeaser;
  readonly hostName: string;
  readonly timing: ResolvedTiming;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly log: Logger;
  /** Sends one store call through the host's queue, with a deadline computed when it is sent. */
  readonly call: <T>(
    what: string,
    operation: (abortSignal: AbortSignal) => Promise<T>,
    timeout: () => number,
  ) => Promise<T>;
  /** A liveness write sent at `sentAt` landed. */
  readonly onBeat: (sentAt: number) => void;
  /** Another live process uses this host name: the heartbeat has stopped for good. */
  readonly onDuplicate: (error: EphError) => void;
}

/**
 * Where the liveness record stands:
 * - `claiming`: not ours yet. No record: it is created. A record of another instance: it is watched
 *   and taken over once it has not changed for {@link takeOverWait} (a live process rewrites it every
 *   renewal interval); a change meanwhile means a live process uses this host name.
 * - `beating`: ours at `version`, rewritten once per renewal interval.
 * - `refused`: another live process has this host name. `stopped`: the balancer stopped.
 */
type HeartbeatState =
  | { readonly kind: "claiming"; readonly foreign: { readonly version: string; readonly since: number } | undefined }
  | { readonly kind: "beating"; readonly version: string; readonly beat: number }
  | { readonly kind: "refused" }
  | { readonly kind: "stopped" };

/**
 * How long a host watches a liveness record of its own name written by another process before taking
 * it over: two renewal intervals and one operation deadline, at most a lease duration. A live process
 * rewrites its record once per renewal interval, so a record unchanged for that long is an earlier life
 * of this host (a restarted pod keeps its name) and waiting a whole lease duration would leave that
 * life's partitions unread for nothing. Hosts of other names still wait a lease duration.
 */
export function takeOverWait(timing: ResolvedTiming): number {
  return Math.min(timing.leaseDuration, 2 * timing.renewalInterval + timing.operationTimeout);
}

/**
 * One host's liveness record: heartbeat lease upkeep. Once per renewal interval it rewrites the record
 * with compare-and-swap; a failed write is retried every tenth of an interval, each attempt within what
 * is left of the lease, so only a store unreachable for most of a lease stops the host. The balancer
 * trusts its leases from the send time of the last write that landed (`onBeat`).
 */
export class Heartbeat {
  /** The random id of this process, written into the record. */
  readonly instance: string;
  #state: HeartbeatState = { kind: "claiming", foreign: undefined };
  #timer: TimerHandle | undefined;
  #writing: Promise<void> | undefined;
  #beats = 0;

  constructor(private readonly o: HeartbeatOptions) {
    const part = () =>
      Math.floor(o.random() * 2 ** 32)
        .toString(16)
        .padStart(8, "0");
    this.instance = `${part()}${part()}`;
  }

  /** True once the record is this process's: the balancer may claim leases. */
  get ready(): boolean {
    return this.#state.kind === "beating";
  }

  /** True once another live process was found to use this host name. */
  get refused(): boolean {
    return this.#state.kind === "refused";
  }

  /** What a scan listed of this host's record (`undefined`: none) at `now`. Claims or checks the record. */
  async observe(own: HostRecord | undefined, now: number): Promise<void> {
    const state = this.#state;
    if (state.kind === "beating") {
      if (own !== undefined && own.instance !== this.instance) this.refuse(own);
      return;
    }
    if (state.kind !== "claiming" || this.#writing !== undefined) return;
    if (own === undefined) return this.write(undefined);
    if (own.instance === this.instance) {
      this.#state = { kind: "beating", version: own.version, beat: own.beat };
      this.#beats = own.beat;
      this.schedule(0);
      return;
    }
    const seen = state.foreign;
    if (seen !== undefined && seen.version !== own.version) return this.refuse(own);
    if (seen === undefined) {
      this.o.log.warning(
        `eph: the liveness record of host "${this.o.hostName}" belongs to another process; waiting up to ${takeOverWait(this.o.timing)} ms to see whether it is alive`,
      );
      this.#state = { kind: "claiming", foreign: { version: own.version, since: now } };
      return;
    }
    if (now - seen.since >= takeOverWait(this.o.timing)) return this.write(own.version);
  }

  /** Stops beating and deletes the record if it is still this process's. Call after releasing the leases. */
  async stop(): Promise<void> {
    const state = this.#state;
    this.#state = { kind: "stopped" };
    this.clearTimer();
    await this.#writing;
    if (state.kind !== "beating") return;
    try {
      await this.o.call(
        `Deleting the liveness record of host ${this.o.hostName}`,
        (abortSignal) => this.o.leaser.deleteHostRecord(state.version, { abortSignal }),
        () => this.o.timing.operationTimeout,
      );
    } catch (error) {
      this.o.log.warning(`eph: could not delete the liveness record of host ${this.o.hostName}: ${describe(error)}`);
    }
  }

  private schedule(ms: number): void {
    this.clearTimer();
    this.#timer = this.o.clock.setTimeout(() => {
      this.#timer = undefined;
      const state = this.#state;
      if (state.kind === "beating") void this.write(state.version === "" ? undefined : state.version);
    }, ms);
  }

  private clearTimer(): void {
    if (this.#timer !== undefined) this.o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  private write(expectedVersion: string | undefined): Promise<void> {
    this.#writing ??= this.writeOnce(expectedVersion).finally(() => {
      this.#writing = undefined;
    });
    return this.#writing;
  }

  /** One write of the record: a create (no record), a take-over, or a beat. */
  private async writeOnce(expectedVersion: string | undefined): Promise<void> {
    const { clock, timing, leaser } = this.o;
    // Every attempt writes a beat of its own: a retry after a lost answer must not take the earlier
    // attempt's write for its own, or it would count the host alive from its later send time.
    const beat = ++this.#beats;
    let sentAt = clock.now();
    let outcome: HostRecordWrite;
    try {
      outcome = await this.o.call(
        `Writing the liveness record of host ${this.o.hostName}`,
        (abortSignal) => {
          sentAt = clock.now();
          return leaser.writeHostRecord({ instance: this.instance, beat }, expectedVersion, { abortSignal });
        },
        // A whole operation deadline even past the host's deadline: a write that lands late extends
        // only leases still trusted when it was sent, and one that recovers the host must be able to.
        () => timing.operationTimeout,
      );
    } catch (error) {
      if (this.#state.kind !== "beating") return; // a claim is tried again at the next scan
      this.o.log.warning(`eph: liveness write of host ${this.o.hostName} failed; retrying: ${describe(error)}`);
      this.schedule(Math.max(1, timing.renewalInterval / 10));
      return;
    }
    const state = this.#state;
    if (state.kind === "stopped" || state.kind === "refused") return;
    if (outcome.status === "written") {
      this.#state = { kind: "beating", version: outcome.record.version, beat };
      this.o.onBeat(sentAt);
      this.schedule(timing.renewalInterval);
      return;
    }
    const current = outcome.current;
    if (current !== undefined && current.instance !== this.instance) {
      // A create or a take-over that lost, or a beat that found another process's write: it is alive.
      this.refuse(current);
      return;
    }
    if (current !== undefined) {
      // An earlier write of this process whose answer was lost: carry on from it.
      this.#beats = Math.max(beat, current.beat);
      this.#state = { kind: "beating", version: current.version, beat: current.beat };
      this.schedule(0);
      return;
    }
    if (expectedVersion === undefined) {
      // The create found a record nobody can read: it is this host name's, so it is replaced.
      this.o.log.warning(`eph: replacing the unreadable liveness record of host ${this.o.hostName}`);
      await this.o
        .call(
          `Deleting the liveness record of host ${this.o.hostName}`,
          (abortSignal) => leaser.deleteHostRecord(undefined, { abortSignal }),
          () => timing.operationTimeout,
        )
        .catch((error: unknown) => this.o.log.warning(`eph: ${describe(error)}`));
    }
    // Gone (a deleted store, an operator): created again at once.
    if (state.kind === "beating") {
      // An empty version: the next write creates the record.
      this.#state = { kind: "beating", version: "", beat };
      this.schedule(expectedVersion === undefined ? Math.max(1, timing.renewalInterval / 10) : 0);
    }
  }

  private refuse(current: HostRecord): void {
    if (this.#state.kind === "refused" || this.#state.kind === "stopped") return;
    this.#state = { kind: "refused" };
    this.clearTimer();
    this.o.onDuplicate(
      new EphError(
        "DuplicateHost",
        `Another live process uses the host name "${this.o.hostName}" (its liveness record carries instance ${current.instance}, this process is ${this.instance}): give each process its own host name.`,
      ),
    );
  }
}

function describe(error: unknown): string {
  if (error instanceof EphError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
