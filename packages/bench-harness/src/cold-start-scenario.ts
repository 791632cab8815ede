import type { BenchEnvironment } from "./bench-environment.js";
import { EventLedger } from "./event-ledger.js";
import { Fleet, type Member } from "./fleet.js";
import { OwnershipBook, type ReadingInterval } from "./ownership-book.js";
import { prepareSide, type SideName, type WorkloadSettings } from "./sides.js";

/** One cold start of a fleet: every process started within a fraction of an interval. */
export interface ColdStartRun {
  readonly side: SideName;
  readonly round: number;
  readonly converged: boolean;
  /** From the last process's start to the last change of readers before the group was balanced and stable. */
  readonly balancedMs: number | undefined;
  /** From the last process's start until every partition had been read at least once. */
  readonly allReadMs: number | undefined;
  /** Changes of reader after each partition's first reader (first reads are not moves). */
  readonly moves: number;
  /** Most such changes of one partition. */
  readonly maxMovesPerPartition: number;
  /** eph: lease acquisitions beyond one per partition. */
  readonly leaseMoves: number | undefined;
  /**
   * Longest time a partition went unread between its first reader and the group being balanced (a
   * move's gap: the old reader stopped, the new one had not started yet).
   */
  readonly longestUnreadMs: number;
  readonly duplicates: number;
  /** Lease (eph) or ownership (official) writes the store refused with 412. */
  readonly refusedWrites: number;
  /** Events sent during the run and never handled. */
  readonly lost: number;
}

/** Options of {@link runColdStart}. */
export interface ColdStartOptions {
  /** The hub of each side: `hubOf(side)`; it must declare the consumer groups of {@link coldStartConsumerGroups}. */
  readonly hubOf: (side: SideName) => string;
  readonly partitions: number;
  readonly processes: number;
  /** Time between two processes' starts (ms). */
  readonly staggerMs: number;
  readonly sides: readonly SideName[];
  readonly rounds: number;
  readonly ratePerSecond: number;
  /** The group counts as settled after this long without a change while balanced. */
  readonly stableMs: number;
  /** Longest wait for the fleet to settle. */
  readonly capMs: number;
}

/** The consumer groups the cold-start runs read with (one per round, so no round resumes another's positions). */
export function coldStartConsumerGroups(rounds: number): string[] {
  return Array.from({ length: rounds }, (_, r) => `cold-${r}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Cold start: `processes` processes, already forked and with their clients created, are started
 * `staggerMs` apart on fresh stores while a producer sends throughout; measured until the group is
 * balanced and has been stable for `stableMs`.
 */
export async function runColdStart(
  env: BenchEnvironment,
  settings: WorkloadSettings,
  options: ColdStartOptions,
  progress: (line: string) => void,
): Promise<ColdStartRun[]> {
  const runs: ColdStartRun[] = [];
  const pids = Array.from({ length: options.partitions }, (_, i) => String(i));
  for (let round = 0; round < options.rounds; round++) {
    for (const side of options.sides) {
      const hub = options.hubOf(side);
      const book = new OwnershipBook();
      const ledger = new EventLedger();
      let acquisitions = 0;
      const fleet = new Fleet(env.dir, (m, r) => {
        if (r.k === "O") book.opened(m.name, r.p, r.epoch, r.t);
        else if (r.k === "C") book.closed(m.name, r.p, r.t);
        else if (r.k === "E") ledger.add(r.p, r.seq, { member: m.name, epoch: r.epoch, t: r.t });
        else if (r.k === "A") acquisitions++;
      });
      const config = await prepareSide(env, side, settings, { hub, consumerGroup: `cold-${round}` });
      await env.producer.call("startStream", {
        hub,
        partitions: options.partitions,
        ratePerSecond: options.ratePerSecond,
      });
      const refusedPrefix = side === "eph" ? "lease.write.412" : "ownership.write.412";
      const refusedBefore = env.counter.failed(refusedPrefix);
      let lost = 0;
      let run: ColdStartRun | undefined;
      try {
        const members: Member[] = [];
        for (let i = 0; i < options.processes; i++) {
          members.push(await fleet.spawn(config(`${side}-c${round}-${i + 1}`)));
        }
        const base = Date.now();
        const starts = await Promise.all(
          members.map(async (m, i) => {
            await sleep(Math.max(0, base + i * options.staggerMs - Date.now()));
            return m.go();
          }),
        );
        const first = Math.min(...starts);
        const last = Math.max(...starts);
        let converged = false;
        let settledAt = Date.now();
        for (;;) {
          await sleep(100);
          fleet.poll();
          const now = Date.now();
          const live = fleet.live().map((m) => m.name);
          if (book.isBalanced(live, pids) && now - book.lastChangeAt >= options.stableMs) {
            converged = true;
            settledAt = Math.max(book.lastChangeAt, last);
            break;
          }
          if (now - last > options.capMs) {
            settledAt = now;
            break;
          }
        }
        const perPartition = new Map<string, number>();
        for (const move of book.moves)
          perPartition.set(move.partitionId, (perPartition.get(move.partitionId) ?? 0) + 1);
        const firstReads = book.intervals.reduce(
          (m, iv) => m.set(iv.partitionId, Math.min(m.get(iv.partitionId) ?? iv.from, iv.from)),
          new Map<string, number>(),
        );
        const allRead = firstReads.size === pids.length ? Math.max(...firstReads.values()) : undefined;
        run = {
          side,
          round,
          converged,
          balancedMs: converged ? settledAt - last : undefined,
          allReadMs: allRead === undefined ? undefined : allRead - last,
          moves: book.moves.length - perPartition.size,
          maxMovesPerPartition: Math.max(0, ...[...perPartition.values()].map((n) => n - 1)),
          leaseMoves: side === "eph" ? acquisitions - pids.length : undefined,
          longestUnreadMs: longestUnread(book.intervals, settledAt),
          duplicates: ledger.duplicatesBetween(first, Date.now()).length,
          refusedWrites: env.counter.failed(refusedPrefix) - refusedBefore,
          lost: 0,
        };
      } finally {
        await env.producer.call("stopStream", { hub });
        const lastSeq = await env.emulator.call<number[]>("lastSequenceNumbers", {
          hub,
          partitions: options.partitions,
        });
        const deadline = Date.now() + 20_000;
        const missing = () => pids.reduce((n, p, i) => n + ledger.missing(p, lastSeq[i]!).length, 0);
        while (Date.now() < deadline && fleet.live().length > 0) {
          fleet.poll();
          lost = missing();
          if (lost === 0) break;
          await sleep(200);
        }
        await fleet.shutdown();
        lost = missing();
      }
      if (run) {
        run = { ...run, lost };
        runs.push(run);
        progress(
          `cold start ${side} round ${round + 1}: ${run.converged ? `balanced ${(run.balancedMs! / 1000).toFixed(2)} s after the last start` : "NOT balanced"}, all read after ${run.allReadMs === undefined ? "-" : (run.allReadMs / 1000).toFixed(2)} s, ${run.moves} moves (max ${run.maxMovesPerPartition} per partition${run.leaseMoves === undefined ? "" : `, ${run.leaseMoves} lease moves`}), longest unread ${(run.longestUnreadMs / 1000).toFixed(2)} s, ${run.duplicates} duplicates, ${run.refusedWrites} refused writes, ${run.lost} lost`,
        );
      }
    }
  }
  return runs;
}

/** The longest gap, over all partitions, between one reading interval's end and the next one's start, up to `until`. */
function longestUnread(intervals: readonly ReadingInterval[], until: number): number {
  const byPartition = new Map<string, ReadingInterval[]>();
  for (const iv of intervals) {
    const list = byPartition.get(iv.partitionId) ?? [];
    list.push(iv);
    byPartition.set(iv.partitionId, list);
  }
  let longest = 0;
  for (const list of byPartition.values()) {
    list.sort((a, b) => a.from - b.from);
    let coveredTo = list[0]!.to ?? Number.POSITIVE_INFINITY;
    for (const iv of list.slice(1)) {
      if (iv.from > until) break;
      if (iv.from > coveredTo) longest = Math.max(longest, iv.from - coveredTo);
      coveredTo = Math.max(coveredTo, iv.to ?? Number.POSITIVE_INFINITY);
    }
  }
  return longest;
}
