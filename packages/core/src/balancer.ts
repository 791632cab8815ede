import {
  type BalancerOptions,
  type LeaseUpkeep,
  type LossReason,
  type ResolvedTiming,
  resolveTiming,
} from "./balancer-options.js";
import { type Clock, systemClock, type TimerHandle } from "./clock.js";
import { forEachConcurrently } from "./concurrency.js";
import { EphError, isEphError } from "./errors.js";
import { ExpiryTracker } from "./expiry-tracker.js";
import { type LeaseView, planClaims } from "./fair-share.js";
import { Heartbeat, keepsHostRecords } from "./heartbeat.js";
import type { HostRecord } from "./host-record.js";
import type { LeaseMarker } from "./lease.js";
import { type Logger, silentLogger } from "./logger.js";
import { type RandomSource, shuffled, systemRandom } from "./random.js";
import { ScanHistory } from "./scan-history.js";
import { type StoreCallPriority, StoreCallQueue } from "./store-call-queue.js";

/**
 * Attempts of one release (each a release, or a re-take and a release, after a read): enough for a
 * refusal caused by our own renewal plus a lost answer, all within the one operation deadline.
 */
const maxReleaseAttempts = 4;

interface Held {
  readonly partitionId: string;
  readonly epoch: number;
  readonly controller: AbortController;
  /** Local deadline: past it the lease is treated as ended, whatever the store says. */
  validUntil: number;
  /**
   * Heartbeat upkeep: when the last listing that showed the lease still ours was sent (at first, the
   * acquisition). Liveness writes extend the lease only from then: a host whose listings fail cannot
   * learn of a steal, so it stops as a per-partition renewal that cannot land would.
   */
  confirmedAt: number;
  renewTimer: TimerHandle | undefined;
  expiryTimer: TimerHandle | undefined;
  /** The renewal in flight: renewals of one lease never overlap (the second would lose to the first). */
  renewing: Promise<boolean> | undefined;
}

/** A partition this host owns, as {@link Balancer.ownedPartitions} reports it. */
export interface OwnedPartitionState {
  /** The partition. */
  readonly partitionId: string;
  /** The epoch of this host's lease. */
  readonly epoch: number;
  /** Balancer-clock time until which the lease is trusted without a further renewal. */
  readonly validUntil: number;
}

/**
 * The seed's scheduler: keeps a lease for every partition, renews this host's leases, takes free and
 * expired ones and steals toward a fair share. Usable without the host: give it a Leaser and callbacks.
 *
 * Upkeep `"perPartition"`: each lease is renewed on its own, and one failed call affects only that
 * lease. Upkeep `"heartbeat"`: one liveness record per host is rewritten instead (see {@link Heartbeat}),
 * and every lease is trusted from the later of its acquisition and the last liveness write that
 * landed. Either way a lease is given up at a local deadline that falls before any other host can
 * judge it expired.
 */
export class Balancer {
  private readonly timing: ResolvedTiming;
  private readonly clock: Clock;
  private readonly random: RandomSource;
  private readonly log: Logger;
  private readonly tracker: ExpiryTracker;
  /** What the planner needs from earlier scans. */
  private readonly history: ScanHistory;
  private readonly held = new Map<string, Held>();
  private scanTimer: TimerHandle | undefined;
  private scanning: Promise<void> | undefined;
  private state: "idle" | "running" | "stopping" | "stopped" = "idle";
  private knownPartitionIds: readonly string[] = [];
  private readonly calls: StoreCallQueue;
  /** The upkeep in use: `"heartbeat"` only with a leaser that keeps host records. */
  private readonly upkeep: LeaseUpkeep;
  private readonly heartbeat: Heartbeat | undefined;
  /**
   * When a lease of a host without a liveness record was last seen renewed (a per-partition host in
   * the consumer group): while one was seen within a lease duration, heartbeat upkeep renews its leases
   * one by one as well, so that such hosts never judge them expired.
   */
  private perPartitionSeenAt: number | undefined;
  /** When the last liveness write that landed was sent (heartbeat upkeep). */
  private lastBeatAt = Number.NEGATIVE_INFINITY;
  /** Stray leases (naming this host, not held) being released. */
  private readonly releasingStrays = new Set<string>();

  /** Validates the options; throws `InvalidOption` naming the first bad one. */
  constructor(private readonly options: BalancerOptions) {
    if (!options || typeof options !== "object") throw new EphError("InvalidOption", "Balancer options are required.");
    if (!options.leaser) throw new EphError("InvalidOption", 'Option "leaser" is required.');
    if (typeof options.hostName !== "string" || options.hostName.trim() === "") {
      throw new EphError("InvalidOption", 'Option "hostName" must be a non-empty string.');
    }
    if (typeof options.partitionIds !== "function") {
      throw new EphError("InvalidOption", 'Option "partitionIds" must be a function returning the partition ids.');
    }
    this.timing = resolveTiming(options);
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? systemRandom;
    this.log = options.logger ?? silentLogger;
    this.tracker = new ExpiryTracker(this.timing.leaseDuration);
    this.history = new ScanHistory(this.timing, (partitionId) => this.tracker.unchangedSince(partitionId));
    this.calls =
      options.storeCalls ??
      new StoreCallQueue({ clock: this.clock, maxConcurrentCalls: this.timing.maxConcurrentCalls });
    const leaser = options.leaser;
    this.upkeep = this.timing.leaseUpkeep === "heartbeat" && keepsHostRecords(leaser) ? "heartbeat" : "perPartition";
    if (this.upkeep !== this.timing.leaseUpkeep) {
      this.log.info("eph: the leaser keeps no host liveness records; leases are renewed one by one");
    }
    this.heartbeat =
      keepsHostRecords(leaser) && this.upkeep === "heartbeat"
        ? new Heartbeat({
            leaser,
            hostName: options.hostName,
            timing: this.timing,
            clock: this.clock,
            random: this.random,
            log: this.log,
            call: (what, operation, timeout) => this.call("keep", what, operation, timeout),
            onBeat: (sentAt) => this.beaten(sentAt),
            onDuplicate: (error) => this.fatal(error),
          })
        : undefined;
  }

  /** The lease upkeep in use (`"perPartition"` when asked for heartbeats with a leaser that keeps no host records). */
  get leaseUpkeep(): LeaseUpkeep {
    return this.upkeep;
  }

  /** This process's instance id in its liveness record (heartbeat upkeep), else `undefined`. */
  get instance(): string | undefined {
    return this.heartbeat?.instance;
  }

  /** Sends one lease-store call through the host's queue, with the operation deadline from when it is sent. */
  private call<T>(
    priority: StoreCallPriority,
    what: string,
    operation: (abortSignal: AbortSignal) => Promise<T>,
    timeout: number | (() => number) = this.timing.operationTimeout,
    abortSignal?: AbortSignal,
  ): Promise<T> {
    return this.calls.run({ priority, what, timeout, ...(abortSignal ? { abortSignal } : {}) }, operation);
  }

  /** This host's name. */
  get hostName(): string {
    return this.options.hostName;
  }

  /** The validated timing in use. */
  get settings(): ResolvedTiming {
    return this.timing;
  }

  /** The partition ids seen at the last scan. */
  get partitionIds(): readonly string[] {
    return this.knownPartitionIds;
  }

  /** Starts scanning at once. */
  start(): void {
    if (this.state !== "idle") throw new EphError("Closed", `Balancer of ${this.hostName} was already started.`);
    this.state = "running";
    this.scheduleScan(0);
  }

  /** Runs a scan now (if none is running) and resolves when it ends. */
  async scanNow(): Promise<void> {
    if (this.state !== "running") return;
    if (this.scanning) return this.scanning;
    if (this.scanTimer !== undefined) this.clock.clearTimeout(this.scanTimer);
    this.scanTimer = undefined;
    this.scanning = this.scan().finally(() => {
      this.scanning = undefined;
    });
    return this.scanning;
  }

  /** Partitions this host owns now, with their epochs. */
  ownedPartitions(): OwnedPartitionState[] {
    return [...this.held.values()]
      .map((h) => ({ partitionId: h.partitionId, epoch: h.epoch, validUntil: h.validUntil }))
      .sort((a, b) => a.partitionId.localeCompare(b.partitionId, "en", { numeric: true }));
  }

  /** True while this host owns the partition and its lease is within its local deadline. */
  isOwned(partitionId: string): boolean {
    const h = this.held.get(partitionId);
    return h !== undefined && this.clock.now() < h.validUntil;
  }

  /**
   * Confirms with the store that this host still holds the partition (a conditional renewal). The host
   * calls it before reconnecting a receiver, so a deposed owner never steals a partition back.
   * Resolves false, and reports the loss, when the lease is gone.
   */
  async verifyLease(partitionId: string): Promise<boolean> {
    const h = this.held.get(partitionId);
    if (!h) return false;
    if (this.renewsPerPartition()) return this.renew(h, false);
    // Heartbeat upkeep never rewrites a held lease: reading it is the check.
    try {
      const lease = await this.call(
        "keep",
        `Reading the lease of partition ${partitionId}`,
        (abortSignal) => this.options.leaser.ensureLease(partitionId, { abortSignal }),
        this.timing.operationTimeout,
        h.controller.signal,
      );
      if (this.held.get(partitionId) !== h) return false;
      if (lease.owner === this.hostName && lease.epoch === h.epoch) return this.isOwned(partitionId);
      this.lose(h, "stolen");
    } catch (error) {
      this.log.warning(`eph: could not read the lease of partition ${partitionId}: ${describe(error)}`);
    }
    return false;
  }

  /**
   * Stops the balancer: no more scans or renewals; every owned partition is reported lost with reason
   * `shutdown` and, once its `onLost` has resolved, released so other hosts take it at their next scan.
   */
  async stop(): Promise<void> {
    if (this.state === "stopped" || this.state === "stopping") return;
    const wasRunning = this.state === "running";
    this.state = "stopping";
    if (this.scanTimer !== undefined) this.clock.clearTimeout(this.scanTimer);
    this.scanTimer = undefined;
    await this.scanning?.catch(() => undefined);
    if (wasRunning) {
      await Promise.all(
        [...this.held.values()].map(async (h) => {
          this.drop(h);
          await this.notifyLost(h.partitionId, "shutdown");
          await this.release(h.partitionId, h.epoch, h.renewing);
        }),
      );
    }
    // After the releases: until then the leases must stay alive in the others' eyes.
    await this.heartbeat?.stop();
    this.state = "stopped";
  }

  /**
   * Another live process uses this host name: every partition is stopped without a release (the
   * leases name that process too) and the balancer stops for good.
   */
  private fatal(error: EphError): void {
    if (this.state !== "running") return;
    this.log.error(`eph: ${error.message}`);
    this.state = "stopped";
    if (this.scanTimer !== undefined) this.clock.clearTimeout(this.scanTimer);
    this.scanTimer = undefined;
    for (const h of [...this.held.values()]) this.lose(h, "stolen");
    try {
      this.options.onFatal?.(error);
    } catch (thrown) {
      this.log.error(`eph: onFatal threw: ${describe(thrown)}`);
    }
  }

  /** A liveness write sent at `sentAt` landed: every lease still trusted then is trusted from then on. */
  private beaten(sentAt: number): void {
    this.lastBeatAt = Math.max(this.lastBeatAt, sentAt);
    for (const h of [...this.held.values()]) {
      // Past its deadline when the write was sent: others may have judged it expired already.
      if (h.validUntil <= sentAt) this.lose(h, "expired");
      else this.extend(h);
    }
  }

  /** Heartbeat upkeep: trusts a held lease from the later write of both that kept it alive and confirmed it ours. */
  private extend(h: Held): void {
    const until = Math.min(this.lastBeatAt, h.confirmedAt) + this.ownDuration();
    if (until <= h.validUntil) return;
    h.validUntil = until;
    this.armExpiry(h);
  }

  /** Whether held leases are renewed one by one: per-partition upkeep, or a per-partition host seen lately. */
  private renewsPerPartition(): boolean {
    if (this.upkeep === "perPartition") return true;
    const seen = this.perPartitionSeenAt;
    return seen !== undefined && this.clock.now() - seen < this.timing.leaseDuration;
  }

  private scheduleScan(ms: number): void {
    if (this.state !== "running") return;
    this.scanTimer = this.clock.setTimeout(() => {
      this.scanTimer = undefined;
      void this.scanNow();
    }, ms);
  }

  /**
   * `seenAt` is when the scan took its snapshot (`now` is later when it spent time acquiring): a foreign
   * lease that expired after the snapshot was not judged by it, so the next scan comes at once.
   */
  private nextScanDelay(now: number, leases: readonly LeaseMarker[], seenAt = now): number {
    // Jitter only shortens the interval, so a released partition is still taken within one interval.
    let delay = this.timing.scanInterval * (1 - 0.2 * this.random());
    // Wake up exactly when a foreign lease would expire, so a crashed host's partitions are taken
    // within leaseDuration + one scan interval of its last renewal rather than two intervals.
    for (const lease of leases) {
      if (lease.owner === "" || lease.owner === this.hostName) continue;
      const at = this.tracker.expiresAt(lease.partitionId);
      if (at !== undefined && at > seenAt && at - now < delay) delay = at - now;
    }
    return Math.max(1, delay);
  }

  private async scan(): Promise<void> {
    const startedAt = this.clock.now();
    let failures = 0;
    let leases: LeaseMarker[] = [];
    let hosts: HostRecord[] = [];
    let listSentAt = this.clock.now();
    const { leaser } = this.options;
    // Sent at once, alongside the partition ids: a slow hub must not make the listing late (with
    // heartbeats the leases are trusted only up to the last listing that showed them ours).
    // With heartbeats the listing keeps held leases trusted as renewals do: it is sent as one of them,
    // ahead of routine checkpoint writes.
    const listed = this.call(
      this.heartbeat ? "keep" : "routine",
      "Listing leases",
      (abortSignal) => {
        listSentAt = this.clock.now();
        // Host records are listed with the leases whenever the leaser keeps them: a per-partition host
        // judges a heartbeat host's leases by its liveness record too.
        return keepsHostRecords(leaser)
          ? leaser.listLeasesAndHosts({ abortSignal })
          : leaser.getLeases({ abortSignal }).then((all) => ({ leases: all, hosts: [] }));
      },
      this.listingTimeout(),
    );
    listed.catch(() => undefined); // awaited below, after the partition ids
    try {
      const ids = await this.options.partitionIds();
      if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string" || id === "")) {
        throw new EphError("InvalidOption", "partitionIds() must return an array of non-empty strings.");
      }
      this.knownPartitionIds = [...new Set(ids)];
    } catch (error) {
      failures++;
      this.log.warning(`eph: could not read partition ids; using the last known ones: ${describe(error)}`);
    }
    const ids = this.knownPartitionIds;
    try {
      const listing = await listed;
      leases = listing.leases;
      hosts = listing.hosts;
    } catch (error) {
      this.log.warning(`eph: scan could not list leases: ${describe(error)}`);
      if (isEphError(error, "StoreNotFound")) await this.recreateStore();
      this.report(startedAt, 0, 0, [], 0, 1 + failures);
      if (this.scanTimer === undefined) {
        // With heartbeats the leases are trusted only up to the last listing that showed them ours.
        const delay = this.nextScanDelay(this.clock.now(), []);
        this.scheduleScan(this.heartbeat ? Math.min(delay, Math.max(1, this.timing.scanInterval / 4)) : delay);
      }
      return;
    }
    if (this.state !== "running") return;
    const byId = new Map<string, LeaseMarker>();
    const wanted = new Set(ids);
    for (const lease of leases) if (wanted.has(lease.partitionId)) byId.set(lease.partitionId, lease);

    const now = this.clock.now();
    for (const record of hosts) this.tracker.observeHost(record, now);
    this.tracker.forgetHosts(new Set(hosts.map((r) => r.hostName)), now);
    const heartbeat = this.heartbeat;
    if (heartbeat) {
      await heartbeat.observe(
        hosts.find((r) => r.hostName === this.hostName),
        now,
      );
      if (this.state !== "running") return;
      // A held lease that vanished from the store was deleted: no renewal will say so.
      const listed = new Set(leases.map((l) => l.partitionId));
      for (const h of [...this.held.values()]) if (!listed.has(h.partitionId)) this.lose(h, "stolen");
    }
    const ready = heartbeat === undefined || heartbeat.ready;
    const strays: LeaseMarker[] = [];
    const views: LeaseView[] = [];
    for (const partitionId of ids) {
      const lease = byId.get(partitionId);
      if (!lease) {
        // No lease yet (a new store, a new partition): free, and created only by the host that claims
        // it, so a fleet's first scans do not each create every lease before anyone claims one.
        views.push({ partitionId, owner: this.held.has(partitionId) ? this.hostName : "", epoch: 0 });
        continue;
      }
      const renewed = this.tracker.observe(lease, now);
      if (renewed && lease.owner !== this.hostName && !this.tracker.hasHost(lease.owner)) {
        if (this.upkeep === "heartbeat" && !this.renewsPerPartition()) {
          this.log.warning(
            `eph: host ${lease.owner} renews its leases one by one (per-partition upkeep, or an older eph): renewing this host's leases the same way while it does`,
          );
        }
        this.perPartitionSeenAt = now;
      }
      const mine = this.held.get(partitionId);
      if (mine && (lease.epoch > mine.epoch || (lease.epoch === mine.epoch && lease.owner !== this.hostName))) {
        // Someone took (or released) it since our last renewal; stop before the renewal would tell us.
        this.lose(mine, "stolen");
      }
      const held = this.held.get(partitionId);
      if (held && heartbeat && listSentAt > held.confirmedAt) {
        held.confirmedAt = listSentAt;
        this.extend(held);
      }
      let owner: string;
      if (this.held.has(partitionId)) owner = this.hostName;
      else if (lease.owner === this.hostName) {
        // Ours in the store, not held here (a restart, a failed release): free to us. With heartbeats it
        // would never expire while this host lives, so unless claimed below it is released.
        owner = "";
        if (this.upkeep === "heartbeat" && !this.releasingStrays.has(partitionId)) strays.push(lease);
      } else owner = this.tracker.isFree(lease, now) ? "" : lease.owner;
      views.push({ partitionId, owner, epoch: lease.epoch });
    }

    const history = this.history.observe(this.hostName, views, now, this.held.size === 0);
    const plan = planClaims(this.hostName, views, this.random, history);
    const acquired: string[] = [];
    let stolen = 0;
    let claims = ready ? shuffled(plan.claims, this.random) : [];
    if (ready) {
      const claimed = new Set(claims.map((c) => c.partitionId));
      for (const lease of strays) if (!claimed.has(lease.partitionId)) void this.releaseStray(lease);
    }
    // A host that owns nothing is invisible to the others, and so are other hosts starting at the same
    // moment to it: each would claim a share computed without the others, then give some back. So an
    // invisible host first claims a single lease, which makes it visible, and looks again shortly.
    const announce = this.held.size === 0 && claims.length > 1;
    if (announce) claims = claims.slice(0, 1);
    // With heartbeats a held lease is trusted only up to the last listing that showed it ours: a scan
    // claiming hundreds of leases through a busy store stops claiming a scan interval after its
    // listing, and the next scan, at once, lists again and claims the rest.
    let cutShort = false;
    await forEachConcurrently(claims, this.timing.maxConcurrentCalls, async (claim) => {
      if (this.state !== "running") return;
      if (this.heartbeat && this.clock.now() - listSentAt > this.timing.scanInterval) {
        cutShort = true;
        return;
      }
      // When the acquisition was SENT (it may wait in the queue): the lease cannot have been written earlier.
      let sentAt = this.clock.now();
      const sent = (at: number) => {
        sentAt = at;
      };
      try {
        const lease = byId.get(claim.partitionId) ?? (await this.create(claim.partitionId));
        if (!lease || this.state !== "running") return;
        const taken = await this.acquire(claim.partitionId, lease.version, sent).catch(async (error: unknown) => {
          // A steal that lost only to the owner's own renewal (same owner, same epoch, new version) is
          // retried once at the new version instead of a whole scan later.
          if (claim.from === "" || !isEphError(error, "LeaseLost") || this.state !== "running") throw error;
          const current = await this.call(
            "take",
            `Reading the lease of partition ${claim.partitionId}`,
            (abortSignal) => this.options.leaser.ensureLease(claim.partitionId, { abortSignal }),
          );
          if (current.owner !== claim.from || current.epoch !== lease.epoch) throw error;
          return this.acquire(claim.partitionId, current.version, sent);
        });
        this.tracker.observe(taken, this.clock.now());
        acquired.push(claim.partitionId);
        if (claim.from !== "") stolen++;
        // A lease the store says is ours but we do not hold was written by an earlier life of this
        // host, or by an acquire of ours whose answer was lost: whoever held it before that may still
        // be reading, so it counts as taken from a live owner (ourselves), not as free.
        const from = claim.from === "" && lease.owner === this.hostName ? this.hostName : claim.from;
        await this.take(taken, sentAt, from);
      } catch (error) {
        if (!isEphError(error, "LeaseLost")) failures++;
        this.log.verbose(`eph: did not acquire partition ${claim.partitionId}: ${describe(error)}`);
      }
    });
    if (this.renewsPerPartition()) {
      // Per-partition renewals were off (heartbeats alone) or a lease was taken: start them.
      for (const h of this.held.values()) {
        if (h.renewTimer === undefined && h.renewing === undefined) {
          this.scheduleRenewal(h, this.timing.renewalInterval * this.random());
        }
      }
    }
    this.report(startedAt, plan.hosts, plan.quota, acquired, stolen, failures);
    const next = this.nextScanDelay(this.clock.now(), [...byId.values()], now);
    this.scheduleScan(cutShort ? 1 : announce ? Math.min(next, this.announceDelay()) : next);
  }

  /**
   * The deadline of a scan's listing. With heartbeat upkeep held leases are trusted only up to the
   * last listing that showed them ours, and a listing of hundreds of records is slower than one write:
   * it gets twice the operation deadline, at most a sixth of the lease.
   */
  private listingTimeout(): number {
    if (!this.heartbeat) return this.timing.operationTimeout;
    return Math.max(
      this.timing.operationTimeout,
      Math.min(2 * this.timing.operationTimeout, this.timing.leaseDuration / 6),
    );
  }

  /**
   * Creates the lease of a partition claimed while it had none; `undefined` when another host created
   * and took it first (a fresh owner, not one to steal from).
   */
  private async create(partitionId: string): Promise<LeaseMarker | undefined> {
    try {
      const lease = await this.call("take", `Creating the lease of partition ${partitionId}`, (abortSignal) =>
        this.options.leaser.ensureLease(partitionId, { abortSignal }),
      );
      this.tracker.observe(lease, this.clock.now());
      return lease.owner === "" || lease.owner === this.hostName ? lease : undefined;
    } catch (error) {
      this.log.warning(`eph: could not create the lease of partition ${partitionId}: ${describe(error)}`);
      throw error;
    }
  }

  private acquire(partitionId: string, expectedVersion: string, sent: (at: number) => void): Promise<LeaseMarker> {
    return this.call("take", `Acquiring the lease of partition ${partitionId}`, (abortSignal) => {
      sent(this.clock.now());
      return this.options.leaser.acquireLease(partitionId, { expectedVersion, abortSignal });
    });
  }

  /**
   * How long an invisible host waits after its first claim before claiming the rest: long enough for
   * the hosts of a fleet started together (a Deployment's pods start some 100 ms apart) to have made
   * their own first claims, so that each then claims its share of the free partitions once instead of
   * the first claiming everything and giving most of it away again (issue 12 §3). Half a scan
   * interval, at most 500 ms (a lone host's other partitions wait that long), jittered ±20 % so that
   * hosts started together do not look again in step. The first partition is read at once.
   */
  private announceDelay(): number {
    return Math.max(1, Math.min(this.timing.scanInterval / 2, 500) * (0.8 + 0.4 * this.random()));
  }

  /**
   * The store is missing: at first start, or deleted by an operator while running. Creating it is safe
   * when many hosts do it at once, and the next scan recreates the leases.
   */
  private async recreateStore(): Promise<void> {
    try {
      await this.call("take", "Creating the lease store", (abortSignal) =>
        this.options.leaser.ensureStore({ abortSignal }),
      );
      this.log.info("eph: created the lease store");
      this.scheduleScan(0);
    } catch (error) {
      this.log.warning(`eph: could not create the lease store: ${describe(error)}`);
    }
  }

  private report(at: number, hosts: number, quota: number, acquired: string[], stolen: number, failures: number): void {
    try {
      this.options.onScan?.({ at, hosts, quota, owned: this.held.size, acquired, stolen, failures });
    } catch (error) {
      this.log.warning(`eph: onScan threw: ${describe(error)}`);
    }
  }

  private async take(lease: LeaseMarker, sentAt: number, from: string): Promise<void> {
    if (this.state !== "running") {
      // Stopped while acquiring: give it straight back.
      await this.release(lease.partitionId, lease.epoch, undefined);
      return;
    }
    const h: Held = {
      partitionId: lease.partitionId,
      epoch: lease.epoch,
      controller: new AbortController(),
      validUntil: sentAt + this.ownDuration(),
      confirmedAt: sentAt,
      renewTimer: undefined,
      expiryTimer: undefined,
      renewing: undefined,
    };
    this.held.set(h.partitionId, h);
    this.armExpiry(h);
    if (this.renewsPerPartition()) this.scheduleRenewal(h, this.timing.renewalInterval);
    this.log.info(
      `eph: ${this.hostName} acquired partition ${h.partitionId} at epoch ${h.epoch}${from ? ` from ${from}` : ""}`,
    );
    try {
      await this.options.onAcquired?.({
        partitionId: h.partitionId,
        epoch: h.epoch,
        lease,
        signal: h.controller.signal,
        stolenFrom: from,
      });
    } catch (error) {
      this.log.error(`eph: onAcquired failed for partition ${h.partitionId}; releasing it: ${describe(error)}`);
      if (this.held.get(h.partitionId) === h) {
        this.drop(h);
        await this.release(h.partitionId, h.epoch, h.renewing);
      }
    }
  }

  /**
   * Releases a lease that names this host though it does not hold it, with two conditional writes: a
   * take at the version listed (so nothing written since is overwritten, and the epoch rises past any
   * earlier holder), then the release.
   */
  private async releaseStray(lease: LeaseMarker): Promise<void> {
    const { partitionId } = lease;
    this.releasingStrays.add(partitionId);
    try {
      await this.call("release", `Releasing the stray lease of partition ${partitionId}`, async (abortSignal) => {
        await this.options.leaser.acquireLease(partitionId, { expectedVersion: lease.version, abortSignal });
        await this.options.leaser.releaseLease(partitionId, { abortSignal });
      });
      this.log.info(`eph: released partition ${partitionId}: its lease named ${this.hostName}, which did not hold it`);
    } catch (error) {
      this.log.verbose(`eph: did not release the stray lease of partition ${partitionId}: ${describe(error)}`);
    } finally {
      this.releasingStrays.delete(partitionId);
    }
  }

  /**
   * Gives a lease back so that another host takes it at its next scan, within one operation deadline.
   * Never trusts a single conditional write to do it, because the store can still name this host as
   * owner at the same epoch after a refused or unanswered release:
   * - a renewal in flight lands after a release conditional on the version before it, and the store
   *   refuses the release (412); so the release first waits for that renewal (`renewing`), which was
   *   sent before the drain began and so ends first;
   * - an answer was lost (of that renewal, or of the release itself): the leaser no longer knows the
   *   version, or the release did land. So after any failure the lease is read: not ours at our epoch
   *   any more means released (or taken) and done; still ours means the release is sent again, and if
   *   the leaser refuses again for lack of the version, the lease is first re-taken at the version just read
   *   (one conditional write, so it cannot take a lease someone else wrote meanwhile), then released.
   * Lives here rather than in a leaser so that it holds with any Leaser.
   */
  private async release(partitionId: string, epoch: number, renewing: Promise<unknown> | undefined): Promise<void> {
    const { leaser } = this.options;
    const me = this.hostName;
    try {
      // Waited for outside the queue: a release holding a slot while its renewal waits for one would
      // only spend its deadline.
      await renewing?.catch(() => undefined);
      await this.call("release", `Releasing the lease of partition ${partitionId}`, async (abortSignal) => {
        let mine = epoch;
        let retake: string | undefined;
        let refusals = 0;
        for (let attempt = 1; ; attempt++) {
          let failure: unknown;
          try {
            if (retake !== undefined) {
              mine = (await leaser.acquireLease(partitionId, { expectedVersion: retake, abortSignal })).epoch;
              retake = undefined;
            }
            await leaser.releaseLease(partitionId, { abortSignal });
            return;
          } catch (error) {
            failure = error;
          }
          if (abortSignal.aborted || attempt >= maxReleaseAttempts) throw failure;
          let current: LeaseMarker;
          try {
            current = await leaser.ensureLease(partitionId, { abortSignal });
          } catch {
            continue;
          }
          if (current.owner !== me || current.epoch !== mine) return;
          this.log.verbose(`eph: partition ${partitionId} is still ours after a release: ${describe(failure)}`);
          // A first refusal may be cured by the renewal's answer having taught the leaser the version;
          // a second one means the leaser has lost track of it.
          if (isEphError(failure, "LeaseLost") && ++refusals > 1) retake = current.version;
        }
      });
    } catch (error) {
      this.log.warning(`eph: could not release partition ${partitionId}: ${describe(error)}`);
    }
  }

  /**
   * How long this host trusts a lease after sending a successful write: the lease duration minus a
   * sixth as a safety margin, so this host stops before any observer (who starts counting only once it
   * has seen the write) can judge the lease expired, even with timers firing late.
   */
  private ownDuration(): number {
    return this.timing.leaseDuration - this.timing.leaseDuration / 6;
  }

  /** Arms the lease's local deadline; a re-arm waits `atLeast` ms, so a clock that rounds cannot spin. */
  private armExpiry(h: Held, atLeast = 0): void {
    if (h.expiryTimer !== undefined) this.clock.clearTimeout(h.expiryTimer);
    h.expiryTimer = this.clock.setTimeout(
      () => {
        if (this.held.get(h.partitionId) !== h) return;
        // Timers may fire a little early against the clock (Node's run on whole milliseconds of the
        // loop's time): then wait for the rest. Nothing else ends a heartbeat lease a host cannot renew.
        if (this.clock.now() >= h.validUntil) this.lose(h, "expired");
        else this.armExpiry(h, 1);
      },
      Math.max(atLeast, h.validUntil - this.clock.now()),
    );
  }

  private scheduleRenewal(h: Held, ms: number): void {
    if (h.renewTimer !== undefined) this.clock.clearTimeout(h.renewTimer);
    h.renewTimer = this.clock.setTimeout(() => {
      h.renewTimer = undefined;
      void this.renew(h, true);
    }, ms);
  }

  private renew(h: Held, reschedule: boolean): Promise<boolean> {
    if (h.renewing) return h.renewing;
    h.renewing = this.renewOnce(h, reschedule).finally(() => {
      h.renewing = undefined;
    });
    return h.renewing;
  }

  /** One renewal attempt; on a transient failure retries soon, within the lease's local deadline. */
  private async renewOnce(h: Held, reschedule: boolean): Promise<boolean> {
    if (this.held.get(h.partitionId) !== h || this.state !== "running") return false;
    if (h.validUntil - this.clock.now() <= 0) {
      this.lose(h, "expired");
      return false;
    }
    let sentAt = this.clock.now();
    try {
      await this.call(
        "keep",
        `Renewing the lease of partition ${h.partitionId}`,
        (abortSignal) => {
          sentAt = this.clock.now();
          return this.options.leaser.renewLease(h.partitionId, { abortSignal });
        },
        // The budget is what is left of the lease when the renewal is sent, not when it was queued.
        () => Math.min(this.timing.operationTimeout, h.validUntil - this.clock.now()),
        // A lease lost while its renewal waits needs no renewal.
        h.controller.signal,
      );
      if (this.held.get(h.partitionId) !== h) return false;
      h.validUntil = Math.max(h.validUntil, sentAt + this.ownDuration());
      this.armExpiry(h);
      if ((reschedule || h.renewTimer !== undefined) && this.renewsPerPartition()) {
        this.scheduleRenewal(h, this.timing.renewalInterval);
      }
      return true;
    } catch (error) {
      if (this.held.get(h.partitionId) !== h) return false;
      if (isEphError(error, "LeaseLost") || isEphError(error, "LeaseNotFound")) {
        this.lose(h, "stolen");
        return false;
      }
      this.log.warning(`eph: renewal of partition ${h.partitionId} failed; retrying: ${describe(error)}`);
      // Retry a few times per renewal interval; the expiry timer ends the attempts at the deadline.
      if (this.renewsPerPartition()) this.scheduleRenewal(h, Math.max(1, this.timing.renewalInterval / 5));
      return false;
    }
  }

  private drop(h: Held): void {
    if (h.renewTimer !== undefined) this.clock.clearTimeout(h.renewTimer);
    if (h.expiryTimer !== undefined) this.clock.clearTimeout(h.expiryTimer);
    h.renewTimer = undefined;
    h.expiryTimer = undefined;
    if (this.held.get(h.partitionId) === h) this.held.delete(h.partitionId);
    h.controller.abort(new EphError("LeaseLost", `Partition ${h.partitionId} is no longer owned.`));
  }

  private lose(h: Held, reason: LossReason): void {
    if (this.held.get(h.partitionId) !== h) return;
    this.drop(h);
    this.log.info(`eph: ${this.hostName} lost partition ${h.partitionId} (${reason})`);
    void this.notifyLost(h.partitionId, reason);
  }

  private async notifyLost(partitionId: string, reason: LossReason): Promise<void> {
    try {
      await this.options.onLost?.(partitionId, reason);
    } catch (error) {
      this.log.error(`eph: onLost failed for partition ${partitionId}: ${describe(error)}`);
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof EphError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
