import { writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { startBenchEnvironment } from "./bench-environment.js";
import { DEFAULT_STORE_KIND } from "./eph-stores.js";
import { type LeaveResult, type MembershipResult, runMembership } from "./membership-scenario.js";
import { ownershipChart } from "./ownership-chart.js";
import { ALL_SIDES, type SideName, type WorkloadSettings } from "./sides.js";
import { runThroughput, type ThroughputRun, throughputConsumerGroups } from "./throughput-scenario.js";
import type { EphStoreConfig, LeaseTiming } from "./worker-config.js";

/** Options of {@link runBenchmark}. */
export interface BenchmarkOptions {
  /** Sides compared besides the raw client. Default eph, official greedy, official balanced. */
  readonly sides?: readonly SideName[];
  readonly partitions?: number;
  readonly processes?: number;
  /** Same lease timing for both sides. Default lease 6 s, interval (renew/scan/update) 1 s, eph call deadline 1 s. */
  readonly timing?: LeaseTiming;
  /** eph's stores. Default blob. */
  readonly storeKind?: EphStoreConfig["kind"];
  /**
   * Lease timing of the throughput runs, the same for every side. Default: the products' own defaults
   * (lease 60 s, renew/scan/update every 10 s), what a deployment runs with; `timing` is for the
   * membership scenarios, where short intervals keep the run short.
   */
  readonly throughputTiming?: LeaseTiming;
  /** Backlog per partition for the throughput runs. Default 10 000. */
  readonly perPartition?: number;
  /** Throughput rounds per side. Default 3 (the median of the per-round ratios is reported). */
  readonly rounds?: number;
  /** Producer rate during the membership scenarios (events/s). Default 160. */
  readonly ratePerSecond?: number;
  /** Quiet time that counts as settled (ms). Default lease + interval. */
  readonly stableMs?: number;
  /** Storage-count window at steady state (ms). Default 20 s. */
  readonly storageWindowMs?: number;
  /** Skip the throughput runs. */
  readonly skipThroughput?: boolean;
  /** Skip the membership runs (convergence, storage, failover, scale-in). */
  readonly skipMembership?: boolean;
  /** Where to write the ownership chart (SVG). */
  readonly chartPath?: string;
  /** Receives the progress lines, the table and the JSON lines. Default console.log. */
  readonly print?: (line: string) => void;
}

/** What one run measured. */
export interface BenchmarkReport {
  readonly date: string;
  readonly machine: {
    readonly cores: number;
    readonly cpu: string;
    readonly memoryGiB: number;
    readonly node: string;
    /** 1-minute load average when the run started and when it ended (other work on the machine skews timings). */
    readonly loadAverage: { start: number; end: number };
  };
  readonly settings: WorkloadSettings & { readonly partitions: number; readonly processes: number };
  readonly throughput: readonly ThroughputRun[];
  readonly membership: readonly MembershipResult[];
  /** The JSON lines printed, one per scenario. */
  readonly lines: readonly Record<string, unknown>[];
}

/** Longest a throughput run may take before it counts as timed out. */
const THROUGHPUT_TIMEOUT_MS = 120_000;

const median = (xs: number[]) => {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const r2 = (x: number | undefined) => (x === undefined ? undefined : Math.round(x * 100) / 100);
const sec = (ms: number | undefined) => (ms === undefined ? "-" : (ms / 1000).toFixed(2));
const pad = (cells: readonly string[], widths: readonly number[]) =>
  cells.map((c, i) => c.padEnd(widths[i] ?? 10)).join(" | ");

/**
 * Runs eph and the official processor side by side on the same emulator and Azurite, with the same
 * workload and lease timing: throughput against the raw client, convergence of joiners, storage calls
 * at steady state, failover after SIGKILL, graceful scale-in. Prints a table per scenario and one JSON
 * line per scenario; writes the ownership chart if asked.
 */
export async function runBenchmark(options: BenchmarkOptions = {}): Promise<BenchmarkReport> {
  const print = options.print ?? ((line: string) => console.log(line));
  const sides = options.sides ?? ALL_SIDES;
  const partitions = options.partitions ?? 32;
  const processes = options.processes ?? 4;
  const timing = options.timing ?? { leaseDuration: 6000, interval: 1000, operationTimeout: 1000 };
  const storeKind = options.storeKind ?? DEFAULT_STORE_KIND;
  const settings: WorkloadSettings = { timing, maxBatchSize: 100, maxWaitTimeInSeconds: 1, storeKind };
  const rounds = options.rounds ?? 3;
  const throughputTiming = options.throughputTiming ?? { leaseDuration: 60_000, interval: 10_000 };
  // The raw client always runs (it is the ceiling); a side named twice runs once. The balanced strategy
  // claims one partition per update interval: a lone process needs (partitions - 1) intervals before it
  // reads everything, longer than a drain may take, so it is left out of the throughput runs then.
  const balancedTooSlow = (partitions - 1) * throughputTiming.interval > THROUGHPUT_TIMEOUT_MS;
  const tpSides: SideName[] = [
    ...new Set<SideName>(["raw", ...(sides.includes("eph") ? (["raw-eph-receivers"] as const) : []), ...sides]),
  ].filter((side) => side !== "official-balanced" || !balancedTooSlow);
  const date = new Date().toISOString();
  const machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverage: { start: Math.round(loadavg()[0]! * 10) / 10, end: 0 },
  };
  print(
    `eph vs @azure/event-hubs processor: ${partitions} partitions, ${processes} processes, lease ${timing.leaseDuration} ms, interval ${timing.interval} ms (throughput: ${throughputTiming.leaseDuration} / ${throughputTiming.interval} ms), eph on ${storeKind} stores; ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}`,
  );
  const hubs: Record<string, { partitions: number; consumerGroups?: string[] }> = {
    tp: { partitions, consumerGroups: throughputConsumerGroups(tpSides, rounds) },
  };
  for (const side of sides) hubs[`m-${side}`] = { partitions };
  const env = await startBenchEnvironment(hubs);
  const lines: Record<string, unknown>[] = [];
  const common = { bench: "vs-official", date, cores: machine.cores, store: storeKind, timing, partitions };
  let throughput: ThroughputRun[] = [];
  const membership: MembershipResult[] = [];
  try {
    if (!options.skipThroughput) {
      const perPartition = options.perPartition ?? 10_000;
      const t0 = Date.now();
      await env.producer.call("preload", { hub: "tp", partitions, perPartition, bodyBytes: 100 });
      print(`preloaded ${partitions * perPartition} events in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      if (sides.includes("official-balanced") && balancedTooSlow) {
        print(
          `throughput official-balanced: not run; it claims one partition per ${throughputTiming.interval} ms interval, so one process would read all ${partitions} partitions only after ${((partitions - 1) * throughputTiming.interval) / 1000} s`,
        );
      }
      throughput = await runThroughput(
        env,
        { ...settings, timing: throughputTiming },
        { hub: "tp", partitions, perPartition, sides: tpSides, rounds, timeoutMs: THROUGHPUT_TIMEOUT_MS },
        print,
      );
    }
    if (!options.skipMembership) {
      for (const side of sides) {
        membership.push(
          await runMembership(
            env,
            side,
            settings,
            {
              hub: `m-${side}`,
              partitions,
              processes,
              ratePerSecond: options.ratePerSecond ?? 160,
              stableMs: options.stableMs ?? timing.leaseDuration + timing.interval,
              capMs: 150_000,
              storageWindowMs: options.storageWindowMs ?? 20_000,
            },
            print,
          ),
        );
      }
    }
  } finally {
    await env.close();
  }

  // Throughput table. Ratios are taken within each round (runs of one round are minutes apart at most,
  // so they share the machine's load), then the median over rounds.
  if (throughput.length > 0) {
    print("");
    print(
      "1. Throughput: one process drains the backlog from the start, checkpointing as each side does (raw: never). Drain rate (start to last event) and steady rate (10 % to 90 %), each as the median over rounds of the ratio to the raw client in the same round; CPU of the consuming process per event",
    );
    const w = [18, 10, 7, 12, 8, 10, 10, 40];
    print(
      pad(["side", "events/s", "x raw", "steady ev/s", "x raw", "CPU µs/ev", "loop busy", "drain runs (events/s)"], w),
    );
    const result: Record<string, unknown> = {};
    const rawOf = (round: number) => throughput.find((r) => r.side === "raw" && r.round === round);
    for (const side of tpSides) {
      const runs = throughput.filter((r) => r.side === side);
      const values = (f: (r: ThroughputRun) => number | undefined) =>
        runs.map(f).filter((x): x is number => x !== undefined);
      const ratios = (f: (r: ThroughputRun) => number | undefined) =>
        runs
          .map((r) => {
            const raw = rawOf(r.round);
            const a = f(r);
            const b = raw && f(raw);
            return a !== undefined && b ? a / b : undefined;
          })
          .filter((x): x is number => x !== undefined);
      const eps = median(values((r) => r.eventsPerSecond));
      const ratio = median(ratios((r) => r.eventsPerSecond));
      const steady = median(values((r) => r.steadyEventsPerSecond));
      const steadyRatio = median(ratios((r) => r.steadyEventsPerSecond));
      const cpu = median(values((r) => r.cpuMicrosPerEvent));
      const busy = median(values((r) => r.eventLoopUtilization));
      result[side] = {
        eventsPerSecond: r2(eps),
        ratioToRaw: r2(ratio),
        steadyEventsPerSecond: r2(steady),
        steadyRatioToRaw: r2(steadyRatio),
        cpuMicrosPerEvent: r2(cpu),
        eventLoopUtilization: r2(busy),
        runs: runs.map((r) => r2(r.eventsPerSecond)),
        steadyRuns: runs.map((r) => r2(r.steadyEventsPerSecond)),
      };
      const n = (x: number | undefined, digits = 0) => (x === undefined ? "-" : x.toFixed(digits));
      print(
        pad(
          [
            side,
            n(eps),
            n(ratio, 2),
            n(steady),
            n(steadyRatio, 2),
            n(cpu),
            busy === undefined ? "-" : `${Math.round(busy * 100)} %`,
            runs.map((r) => (r.eventsPerSecond ? Math.round(r.eventsPerSecond) : "timeout")).join(", "),
          ],
          w,
        ),
      );
    }
    const line = {
      ...common,
      scenario: "throughput",
      timing: throughputTiming,
      events: throughput[0]?.events,
      results: result,
    };
    lines.push(line);
    print(JSON.stringify(line));
  }

  if (membership.length > 0) {
    print("");
    print(
      `2. Convergence: ${processes} processes join one after another; seconds from the joiner's start to the last change before balanced (eph: leases / reading), moves (eph: lease acquisitions) (max per partition), duplicates, lease/ownership writes refused with 412`,
    );
    print(pad(["side", ...Array.from({ length: processes }, (_, i) => `join ${i + 1}`)], [18, 36, 36, 36, 36]));
    const conv: Record<string, unknown> = {};
    for (const m of membership) {
      print(
        pad(
          [
            m.side,
            ...m.joins.map((j) =>
              j.converged
                ? `${j.leasesMs !== undefined ? `${sec(j.leasesMs)}/` : ""}${sec(j.convergeMs)} s, ${j.moves}${j.leaseMoves !== undefined ? `(${j.leaseMoves})` : ""} mv (${j.maxMovesPerPartition}), ${j.duplicates} dup, ${j.refusedWrites} 412`
                : `not balanced, ${j.moves} mv`,
            ),
          ],
          [18, 36, 36, 36, 36],
        ),
      );
      conv[m.side] = m.joins;
    }
    const convLine = { ...common, scenario: "convergence", processes, results: conv };
    lines.push(convLine);
    print(JSON.stringify(convLine));

    print("");
    print(
      "3. Failover: one process SIGKILLed; seconds until its partitions are read again (eph: leases retaken / read again), until rebalanced; duplicates",
    );
    print("4. Graceful scale-in: one process closed; same figures");
    const w = [18, 16, 12, 10, 5, 16, 12, 10, 5];
    print(
      pad(
        [
          "side",
          "failover (parts)",
          "read again",
          "rebalanced",
          "dup",
          "scale-in (parts)",
          "read again",
          "rebalanced",
          "dup",
        ],
        w,
      ),
    );
    const again = (r: LeaveResult | undefined) =>
      `${r?.leasesMs !== undefined ? `${sec(r.leasesMs)}/` : ""}${sec(r?.readAgainMs)}`;
    const fo: Record<string, unknown> = {};
    const si: Record<string, unknown> = {};
    for (const m of membership) {
      const f = m.failover;
      const s = m.scaleIn;
      print(
        pad(
          [
            m.side,
            String(f?.partitions ?? "-"),
            again(f),
            sec(f?.rebalancedMs),
            String(f?.duplicates ?? "-"),
            String(s?.partitions ?? "-"),
            again(s),
            sec(s?.rebalancedMs),
            String(s?.duplicates ?? "-"),
          ],
          w,
        ),
      );
      fo[m.side] = f;
      si[m.side] = s;
    }
    const foLine = { ...common, scenario: "failover", results: fo };
    const siLine = { ...common, scenario: "scale-in", results: si };
    lines.push(foLine, siLine);
    print(JSON.stringify(foLine));
    print(JSON.stringify(siLine));

    print("");
    print(
      `5. Storage calls per partition per hour at steady state (${processes} processes, interval ${timing.interval} ms; x${timing.interval / 10_000} for the default 10 s interval applies to the lease part)`,
    );
    print(pad(["side", "lease/ownership", "checkpoint", "total", "calls in window"], [18, 16, 11, 9, 60]));
    const st: Record<string, unknown> = {};
    for (const m of membership) {
      const s = m.storage;
      if (!s) continue;
      print(
        pad(
          [
            m.side,
            String(Math.round(s.perPartitionHour.lease)),
            String(Math.round(s.perPartitionHour.checkpoint)),
            String(Math.round(s.perPartitionHour.total)),
            Object.entries(s.counts)
              .map(([k, v]) => `${k} ${v}`)
              .join(", "),
          ],
          [18, 16, 11, 9, 60],
        ),
      );
      st[m.side] = {
        windowMs: s.windowMs,
        processes: s.processes,
        perPartitionHour: {
          lease: Math.round(s.perPartitionHour.lease),
          checkpoint: Math.round(s.perPartitionHour.checkpoint),
          total: Math.round(s.perPartitionHour.total),
        },
        counts: s.counts,
      };
    }
    const stLine = { ...common, scenario: "storage", ratePerSecond: options.ratePerSecond ?? 160, results: st };
    lines.push(stLine);
    print(JSON.stringify(stLine));

    print("");
    print("Whole membership runs: events sent / never handled / handled more than once; errors reported");
    for (const m of membership) {
      print(
        `${m.side}: ${m.sent} sent, ${m.lost} lost, ${m.duplicates} duplicates; errors ${JSON.stringify(m.errors)}; event-loop delay per second p50/p95/max ${m.loopDelayMs.p50}/${m.loopDelayMs.p95}/${m.loopDelayMs.max} ms`,
      );
    }

    if (options.chartPath) {
      const svg = ownershipChart(
        membership.map((m) => ({
          title: m.side,
          t0: m.startedAt,
          t1: m.endedAt,
          intervals: m.intervals,
          members: [...new Set(m.intervals.map((i) => i.member))].sort(),
          marks: m.marks,
        })),
        partitions,
        `Who reads each of ${partitions} partitions: ${processes} processes join, one is SIGKILLed, one closes (lease ${timing.leaseDuration / 1000} s, interval ${timing.interval / 1000} s)`,
      );
      writeFileSync(options.chartPath, svg);
      print(`chart written to ${options.chartPath}`);
    }
  }
  machine.loadAverage.end = Math.round(loadavg()[0]! * 10) / 10;
  print(`scratch directory (delivery logs, worker output): ${env.dir}`);
  print(`load average (1 min) at start ${machine.loadAverage.start}, at end ${machine.loadAverage.end}`);
  return {
    date,
    machine,
    settings: { ...settings, partitions, processes },
    throughput,
    membership,
    lines,
  };
}
