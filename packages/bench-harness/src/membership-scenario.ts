import type { BenchEnvironment } from "./bench-environment.js";
import { EventLedger } from "./event-ledger.js";
import { Fleet, type Member } from "./fleet.js";
import { OwnershipBook, type ReadingInterval } from "./ownership-book.js";
import { prepareSide, type SideName, type WorkloadSettings } from "./sides.js";

/** A process joining the group. */
export interface JoinResult {
  /** Processes after the join. */
  readonly processes: number;
  readonly converged: boolean;
  /** From the joiner's start to the last change of readers before the group was balanced and stable. */
  readonly convergeMs: number | undefined;
  /** eph: from the joiner's start to the last lease acquisition of the join. */
  readonly leasesMs: number | undefined;
  /** Partitions whose reader changed (the first reader counts). */
  readonly moves: number;
  /** eph: lease acquisitions. */
  readonly leaseMoves: number | undefined;
  /**
   * Lease (eph) or ownership (official) writes the store refused with 412 during the join: acquisitions
   * that lost to the owner's renewal or to another claimant, and renewals of leases just taken.
   */
  readonly refusedWrites: number;
  /** Most times one partition moved during the join. */
  readonly maxMovesPerPartition: number;
  readonly duplicates: number;
}

/** A process leaving (killed or closed). */
export interface LeaveResult {
  /** Partitions the process read when it left. */
  readonly partitions: number;
  /** From the kill or close request until every one of them was read again by another process. */
  readonly readAgainMs: number | undefined;
  /** eph: until every one of them had been acquired by another process (lease level, before the handoff). */
  readonly leasesMs: number | undefined;
  /** Until the remaining processes were balanced and stable again (time of the last change). */
  readonly rebalancedMs: number | undefined;
  readonly duplicates: number;
}

/** Storage calls at steady state. */
export interface SteadyStorage {
  readonly windowMs: number;
  readonly processes: number;
  readonly counts: Record<string, number>;
  /** Calls per partition per hour, for the leases/ownership records, the checkpoints, and in all. */
  readonly perPartitionHour: { readonly lease: number; readonly checkpoint: number; readonly total: number };
}

/** Everything measured on one side. */
export interface MembershipResult {
  readonly side: SideName;
  readonly startedAt: number;
  readonly joins: JoinResult[];
  readonly storage: SteadyStorage | undefined;
  readonly failover: LeaveResult | undefined;
  readonly scaleIn: LeaveResult | undefined;
  /** Events sent (acknowledged) during the run, never handled by anyone. */
  readonly lost: number;
  readonly sent: number;
  readonly duplicates: number;
  readonly errors: Record<string, number>;
  /** Event-loop delay of the processes: the worst of each 1 s period, median / 95th percentile / max (ms). */
  readonly loopDelayMs: { readonly p50: number; readonly p95: number; readonly max: number };
  /** Reading intervals, for the chart. */
  readonly intervals: readonly ReadingInterval[];
  /** Marks for the chart: joins, kill, close. */
  readonly marks: readonly { readonly t: number; readonly label: string }[];
  readonly endedAt: number;
}

/** Options of {@link runMembership}. */
export interface MembershipOptions {
  readonly hub: string;
  readonly partitions: number;
  readonly processes: number;
  /** Events per second the producer sends throughout. */
  readonly ratePerSecond: number;
  /** The group counts as settled after this long without a change while balanced. */
  readonly stableMs: number;
  /** Longest wait for one join, kill or close to settle. */
  readonly capMs: number;
  /** Length of the storage-count window at steady state. */
  readonly storageWindowMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Convergence, steady-state storage cost, failover and graceful scale-in for one side, in one run on
 * one hub with a producer sending throughout:
 * `processes` processes join one after another (each once the group has settled); calls are counted
 * for a window; one process is SIGKILLed; once settled, another is closed gracefully.
 */
export async function runMembership(
  env: BenchEnvironment,
  side: SideName,
  settings: WorkloadSettings,
  options: MembershipOptions,
  progress: (line: string) => void,
): Promise<MembershipResult> {
  const pids = Array.from({ length: options.partitions }, (_, i) => String(i));
  const book = new OwnershipBook();
  const ledger = new EventLedger();
  const acquisitions: { p: string; t: number; member: string }[] = [];
  const errors: Record<string, number> = {};
  const marks: { t: number; label: string }[] = [];
  const fleet = new Fleet(env.dir, (m, r) => {
    if (r.k === "O") book.opened(m.name, r.p, r.epoch, r.t);
    else if (r.k === "C") book.closed(m.name, r.p, r.t);
    else if (r.k === "E") ledger.add(r.p, r.seq, { member: m.name, epoch: r.epoch, t: r.t });
    else if (r.k === "A") acquisitions.push({ p: r.p, t: r.t, member: m.name });
    else if (r.k === "X") errors[r.op] = (errors[r.op] ?? 0) + 1;
  });
  const config = await prepareSide(env, side, settings, { hub: options.hub, consumerGroup: "$Default" });

  const settle = async (from: number): Promise<{ converged: boolean; at: number }> => {
    for (;;) {
      await sleep(100);
      fleet.poll();
      const now = Date.now();
      const live = fleet.live().map((m) => m.name);
      if (book.isBalanced(live, pids) && now - book.lastChangeAt >= options.stableMs) {
        return { converged: true, at: Math.max(book.lastChangeAt, from) };
      }
      if (now - from > options.capMs) return { converged: false, at: now };
    }
  };

  await env.producer.call("startStream", {
    hub: options.hub,
    partitions: options.partitions,
    ratePerSecond: options.ratePerSecond,
  });
  const members: Member[] = [];
  const joins: JoinResult[] = [];
  let startedAt = 0;
  let storage: SteadyStorage | undefined;
  let failover: LeaveResult | undefined;
  let scaleIn: LeaveResult | undefined;
  let lost = 0;
  let sent = 0;
  try {
    for (let i = 0; i < options.processes; i++) {
      const member = await fleet.spawn(config(`${side}-${i + 1}`));
      members.push(member);
      const from = await member.go();
      if (i === 0) startedAt = from;
      marks.push({ t: from, label: `join ${i + 1}` });
      const refusedPrefix = side === "eph" ? "lease.write.412" : "ownership.write.412";
      const refusedBefore = env.counter.failed(refusedPrefix);
      const movesBefore = book.moves.length;
      const acquiredBefore = acquisitions.length;
      const s = await settle(from);
      const moves = book.moves.slice(movesBefore);
      const perPartition = new Map<string, number>();
      for (const m of moves) perPartition.set(m.partitionId, (perPartition.get(m.partitionId) ?? 0) + 1);
      const acquired = acquisitions.slice(acquiredBefore);
      const lastAcquired = acquired.reduce((t, a) => Math.max(t, a.t), 0);
      const join: JoinResult = {
        processes: i + 1,
        converged: s.converged,
        convergeMs: s.converged ? s.at - from : undefined,
        leasesMs: side === "eph" && s.converged && acquired.length > 0 ? lastAcquired - from : undefined,
        moves: moves.length,
        leaseMoves: side === "eph" ? acquired.length : undefined,
        refusedWrites: env.counter.failed(refusedPrefix) - refusedBefore,
        maxMovesPerPartition: Math.max(0, ...perPartition.values()),
        duplicates: ledger.duplicatesBetween(from, Date.now()).length,
      };
      joins.push(join);
      progress(
        `${side}: join ${i + 1} ${s.converged ? `balanced after ${(join.convergeMs! / 1000).toFixed(2)} s` : "NOT balanced"}, ${join.moves} moves, ${join.duplicates} duplicates, ${join.refusedWrites} conditional writes refused`,
      );
    }

    // Steady state: count storage calls with every process running and balanced.
    fleet.poll();
    env.counter.reset();
    const windowFrom = Date.now();
    await sleep(options.storageWindowMs);
    const windowMs = Date.now() - windowFrom;
    const counts = env.counter.snapshot();
    const perHour = (n: number) => (n / options.partitions) * (3_600_000 / windowMs);
    const leaseCalls = side === "eph" ? env.counter.total("lease.") : env.counter.total("ownership.");
    const checkpointCalls = env.counter.total("checkpoint.");
    storage = {
      windowMs,
      processes: fleet.live().length,
      counts,
      perPartitionHour: {
        lease: perHour(leaseCalls),
        checkpoint: perHour(checkpointCalls),
        total: perHour(env.counter.total()),
      },
    };
    progress(
      `${side}: steady state ${Math.round(storage.perPartitionHour.total)} storage calls per partition-hour (${Math.round(storage.perPartitionHour.lease)} lease, ${Math.round(storage.perPartitionHour.checkpoint)} checkpoint)`,
    );

    const leave = async (member: Member, how: "kill" | "close"): Promise<LeaveResult> => {
      fleet.poll();
      const owned = book.partitionsOf(member.name);
      let at: number;
      let closing: Promise<unknown> = Promise.resolve();
      if (how === "kill") {
        at = member.kill();
        book.gone(member.name, at);
      } else {
        at = Date.now();
        closing = member.close();
      }
      marks.push({ t: at, label: how === "kill" ? "SIGKILL" : "close" });
      const readAgain = () => {
        let latest = at;
        for (const p of owned) {
          const first = book.intervals.find((iv) => iv.partitionId === p && iv.member !== member.name && iv.from >= at);
          if (!first) return undefined;
          latest = Math.max(latest, first.from);
        }
        return latest - at;
      };
      let readAgainMs: number | undefined;
      while (Date.now() - at < options.capMs) {
        await sleep(100);
        fleet.poll();
        readAgainMs = readAgain();
        if (readAgainMs !== undefined) break;
      }
      await closing;
      const s = await settle(at);
      let leasesMs: number | undefined;
      if (side === "eph") {
        let latest = at;
        for (const p of owned) {
          const a = acquisitions.find((x) => x.p === p && x.member !== member.name && x.t >= at);
          latest = a && latest !== undefined ? Math.max(latest, a.t) : Number.NaN;
        }
        leasesMs = Number.isNaN(latest) ? undefined : latest - at;
      }
      return {
        partitions: owned.length,
        readAgainMs,
        leasesMs,
        rebalancedMs: s.converged ? s.at - at : undefined,
        duplicates: ledger.duplicatesBetween(at, Date.now()).length,
      };
    };

    if (members.length >= 2) {
      failover = await leave(members[1]!, "kill");
      progress(
        `${side}: SIGKILL of a process reading ${failover.partitions} partitions: read again after ${fmtS(failover.readAgainMs)}, ${failover.duplicates} duplicates`,
      );
    }
    if (members.length >= 3) {
      scaleIn = await leave(members[2]!, "close");
      progress(
        `${side}: graceful close of a process reading ${scaleIn.partitions} partitions: read again after ${fmtS(scaleIn.readAgainMs)}, ${scaleIn.duplicates} duplicates`,
      );
    }
  } finally {
    const stream = await env.producer.call<{ acked: number[] }>("stopStream", { hub: options.hub });
    // Let the remaining processes catch up before judging what was lost.
    const last = await env.emulator.call<number[]>("lastSequenceNumbers", {
      hub: options.hub,
      partitions: options.partitions,
    });
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && fleet.live().length > 0) {
      fleet.poll();
      lost = pids.reduce((n, p, i) => n + ledger.missing(p, last[i]!).length, 0);
      if (lost === 0) break;
      await sleep(200);
    }
    await fleet.shutdown();
    lost = pids.reduce((n, p, i) => n + ledger.missing(p, last[i]!).length, 0);
    sent = stream.acked.reduce((a, b) => a + b, 0);
  }
  return {
    side,
    startedAt,
    joins,
    storage,
    failover,
    scaleIn,
    lost,
    sent,
    duplicates: ledger.duplicates.length,
    errors,
    loopDelayMs: percentiles([...fleet.members.values()].flatMap((m) => m.loopDelays.map((d) => d.ms))),
    intervals: book.intervals,
    marks,
    endedAt: Date.now(),
  };
}

function percentiles(xs: number[]): { p50: number; p95: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0);
  return { p50: at(0.5), p95: at(0.95), max: Math.round(s[s.length - 1] ?? 0) };
}

function fmtS(ms: number | undefined): string {
  return ms === undefined ? "(never)" : `${(ms / 1000).toFixed(2)} s`;
}
