import { writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { startBenchEnvironment } from "./bench-environment.js";
import { type ColdStartRun, coldStartConsumerGroups, runColdStart } from "./cold-start-scenario.js";
import { DEFAULT_STORE_KIND } from "./eph-stores.js";
import { type FirstEventRun, firstEventConsumerGroups, runFirstEvent } from "./first-event-scenario.js";
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
   * Lease timings of the throughput runs, each run for every side. Default: the products' own defaults
   * (lease 60 s, renew/scan/update every 10 s), what a deployment runs with, and the membership
   * scenarios' short timing (lease 6 s, interval 1 s), where lease upkeep shares the event loop with
   * delivery ten times as often.
   */
  readonly throughputTimings?: readonly LeaseTiming[];
  /** Backlog per partition for the throughput runs. Default 10 000. */
  readonly perPartition?: number;
  /** Body size of the throughput backlog's events (bytes). Default 100. */
  readonly bodyBytes?: number;
  /** Skip the spawn-to-first-event runs. */
  readonly skipFirstEvent?: boolean;
  /** Spawn-to-first-event rounds per side. Default 5. */
  readonly firstEventRounds?: number;
  /** Skip the cold starts. */
  readonly skipColdStart?: boolean;
  /** Cold starts per side. Default 3. */
  readonly coldStartRounds?: number;
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
  /** Throughput runs, each with the timing it ran at. */
  readonly throughput: readonly (ThroughputRun & { readonly timing: LeaseTiming })[];
  readonly firstEvent: readonly FirstEventRun[];
  readonly coldStart: readonly ColdStartRun[];
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
  const throughputTimings = options.throughputTimings ?? [
    { leaseDuration: 60_000, interval: 10_000 },
    { leaseDuration: 6000, interval: 1000, operationTimeout: 1000 },
  ];
  // The raw client always runs (it is the ceiling); a side named twice runs once. The balanced strategy
  // claims one partition per update interval: a lone process needs (partitions - 1) intervals before it
  // reads everything, longer than a drain may take, so it is left out of the throughput runs then.
  const balancedTooSlow = (t: LeaseTiming) => (partitions - 1) * t.interval > THROUGHPUT_TIMEOUT_MS;
  const tpSidesAll: SideName[] = [
    ...new Set<SideName>(["raw", ...(sides.includes("eph") ? (["raw-eph-receivers"] as const) : []), ...sides]),
  ];
  const tpSidesFor = (t: LeaseTiming) =>
    tpSidesAll.filter((side) => side !== "official-balanced" || !balancedTooSlow(t));
  const tpHub = (i: number) => `tp${i}`;
  const feSides: SideName[] = [...new Set<SideName>(["raw", ...sides])];
  const firstEventRounds = options.firstEventRounds ?? 5;
  const coldStartRounds = options.coldStartRounds ?? 3;
  const date = new Date().toISOString();
  const machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverage: { start: Math.round(loadavg()[0]! * 10) / 10, end: 0 },
  };
  const timingText = (t: LeaseTiming) => `${t.leaseDuration} / ${t.interval} ms`;
  print(
    `eph vs @azure/event-hubs processor: ${partitions} partitions, ${processes} processes, lease ${timing.leaseDuration} ms, interval ${timing.interval} ms (throughput: ${throughputTimings.map(timingText).join(" and ")}), eph on ${storeKind} stores; ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}`,
  );
  const hubs: Record<string, { partitions: number; consumerGroups?: string[] }> = {
    fe: { partitions, consumerGroups: firstEventConsumerGroups(feSides, firstEventRounds) },
  };
  throughputTimings.forEach((t, i) => {
    hubs[tpHub(i)] = { partitions, consumerGroups: throughputConsumerGroups(tpSidesFor(t), rounds) };
  });
  for (const side of sides) {
    hubs[`m-${side}`] = { partitions };
    hubs[`c-${side}`] = { partitions, consumerGroups: coldStartConsumerGroups(coldStartRounds) };
  }
  const env = await startBenchEnvironment(hubs);
  const lines: Record<string, unknown>[] = [];
  const common = { bench: "vs-official", date, cores: machine.cores, store: storeKind, timing, partitions };
  const throughput: (ThroughputRun & { timing: LeaseTiming })[] = [];
  let firstEvent: FirstEventRun[] = [];
  let coldStart: ColdStartRun[] = [];
  const membership: MembershipResult[] = [];
  try {
    if (!options.skipFirstEvent) {
      await env.producer.call("preload", { hub: "fe", partitions, perPartition: 20, bodyBytes: 100 });
      firstEvent = await runFirstEvent(
        env,
        settings,
        { hub: "fe", sides: feSides, rounds: firstEventRounds, timeoutMs: 60_000 },
        print,
      );
    }
    if (!options.skipThroughput) {
      const perPartition = options.perPartition ?? 10_000;
      const bodyBytes = options.bodyBytes ?? 100;
      for (const [i, tpTiming] of throughputTimings.entries()) {
        const t0 = Date.now();
        await env.producer.call("preload", { hub: tpHub(i), partitions, perPartition, bodyBytes });
        print(
          `preloaded ${partitions * perPartition} events of ${bodyBytes} B in ${((Date.now() - t0) / 1000).toFixed(1)} s for throughput at ${timingText(tpTiming)}`,
        );
        if (sides.includes("official-balanced") && balancedTooSlow(tpTiming)) {
          print(
            `throughput official-balanced: not run at ${timingText(tpTiming)}; it claims one partition per ${tpTiming.interval} ms interval, so one process would read all ${partitions} partitions only after ${((partitions - 1) * tpTiming.interval) / 1000} s`,
          );
        }
        const runs = await runThroughput(
          env,
          { ...settings, timing: tpTiming },
          {
            hub: tpHub(i),
            partitions,
            perPartition,
            sides: tpSidesFor(tpTiming),
            rounds,
            timeoutMs: THROUGHPUT_TIMEOUT_MS,
          },
          print,
        );
        throughput.push(...runs.map((r) => ({ ...r, timing: tpTiming })));
      }
    }
    if (!options.skipColdStart) {
      coldStart = await runColdStart(
        env,
        settings,
        {
          hubOf: (side) => `c-${side}`,
          partitions,
          processes,
          staggerMs: 100,
          sides,
          rounds: coldStartRounds,
          ratePerSecond: options.ratePerSecond ?? 160,
          stableMs: options.stableMs ?? timing.leaseDuration + timing.interval,
          capMs: 150_000,
        },
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

  // Throughput tables, one per timing. Ratios are taken within each round (runs of one round are minutes
  // apart at most, so they share the machine's load), then the median over rounds.
  for (const tpTiming of throughputTimings) {
    const atTiming = throughput.filter((r) => r.timing === tpTiming);
    if (atTiming.length === 0) continue;
    print("");
    print(
      `1. Throughput at lease / interval ${timingText(tpTiming)}: one process drains the backlog from the start, checkpointing as each side does (raw: never). Drain rate (start to last event) and steady rate (10 % to 90 %), each as the median over rounds of the ratio to the raw client in the same round; CPU of the consuming process per event (from start, and steady: between 10 % and 90 %), and its ratio to the raw client's in the same round (median)`,
    );
    const w = [18, 10, 7, 12, 8, 10, 7, 12, 7, 10, 40];
    print(
      pad(
        [
          "side",
          "events/s",
          "x raw",
          "steady ev/s",
          "x raw",
          "CPU µs/ev",
          "x raw",
          "steady CPU",
          "x raw",
          "loop busy",
          "drain runs (x raw)",
        ],
        w,
      ),
    );
    const result: Record<string, unknown> = {};
    const rawOf = (round: number) => atTiming.find((r) => r.side === "raw" && r.round === round);
    for (const side of tpSidesFor(tpTiming)) {
      const runs = atTiming.filter((r) => r.side === side);
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
      const cpuRatio = median(ratios((r) => r.cpuMicrosPerEvent));
      const steadyCpu = median(values((r) => r.steadyCpuMicrosPerEvent));
      const steadyCpuRatio = median(ratios((r) => r.steadyCpuMicrosPerEvent));
      const drainRatios = ratios((r) => r.eventsPerSecond);
      const busy = median(values((r) => r.eventLoopUtilization));
      result[side] = {
        eventsPerSecond: r2(eps),
        ratioToRaw: r2(ratio),
        steadyEventsPerSecond: r2(steady),
        steadyRatioToRaw: r2(steadyRatio),
        cpuMicrosPerEvent: r2(cpu),
        cpuRatioToRaw: r2(cpuRatio),
        steadyCpuMicrosPerEvent: r2(steadyCpu),
        steadyCpuRatioToRaw: r2(steadyCpuRatio),
        eventLoopUtilization: r2(busy),
        runs: runs.map((r) => r2(r.eventsPerSecond)),
        steadyRuns: runs.map((r) => r2(r.steadyEventsPerSecond)),
        cpuRuns: runs.map((r) => r2(r.cpuMicrosPerEvent)),
        ratioRuns: drainRatios.map(r2),
        steadyRatioRuns: ratios((r) => r.steadyEventsPerSecond).map(r2),
        cpuRatioRuns: ratios((r) => r.cpuMicrosPerEvent).map(r2),
        steadyCpuRatioRuns: ratios((r) => r.steadyCpuMicrosPerEvent).map(r2),
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
            n(cpuRatio, 2),
            n(steadyCpu),
            n(steadyCpuRatio, 2),
            busy === undefined ? "-" : `${Math.round(busy * 100)} %`,
            side === "raw"
              ? runs.map((r) => (r.eventsPerSecond ? Math.round(r.eventsPerSecond) : "timeout")).join(", ")
              : drainRatios.map((x) => x.toFixed(2)).join(", "),
          ],
          w,
        ),
      );
    }
    const line = {
      ...common,
      scenario: "throughput",
      timing: tpTiming,
      events: atTiming[0]?.events,
      bodyBytes: options.bodyBytes ?? 100,
      rounds,
      results: result,
    };
    lines.push(line);
    print(JSON.stringify(line));
  }

  if (firstEvent.length > 0) printFirstEvent(firstEvent, feSides, common, lines, print);
  if (coldStart.length > 0) printColdStart(coldStart, sides, processes, common, lines, print);

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
    firstEvent,
    coldStart,
    membership,
    lines,
  };
}

/** Table and JSON line of the spawn-to-first-event runs. */
function printFirstEvent(
  runs: readonly FirstEventRun[],
  sides: readonly SideName[],
  common: Record<string, unknown>,
  lines: Record<string, unknown>[],
  print: (line: string) => void,
): void {
  print("");
  print(
    "Time to the first event: a process forked with nothing started reads a hub holding a few events per partition, fresh stores; ms after the fork, median over rounds (milestones: process running, modules imported, clients / host created, eph's first lease, first partition opened)",
  );
  const w = [18, 12, 9, 9, 9, 11, 9, 40];
  print(pad(["side", "first event", "process", "loaded", "created", "first lease", "opened", "runs (ms)"], w));
  const result: Record<string, unknown> = {};
  for (const side of sides) {
    const mine = runs.filter((r) => r.side === side);
    const med = (f: (r: FirstEventRun) => number | undefined) =>
      median(mine.map(f).filter((x): x is number => x !== undefined));
    const figures = {
      spawnToFirstMs: med((r) => r.spawnToFirstMs),
      processMs: med((r) => r.phases?.process),
      loadedMs: med((r) => r.phases?.loaded),
      createdMs: med((r) => r.phases?.created),
      acquiredMs: med((r) => r.phases?.acquired),
      startedMs: med((r) => r.phases?.started),
      openedMs: med((r) => r.phases?.opened),
    };
    result[side] = { ...figures, runs: mine.map((r) => r.spawnToFirstMs ?? null) };
    const n = (x: number | undefined) => (x === undefined ? "-" : String(Math.round(x)));
    print(
      pad(
        [
          side,
          n(figures.spawnToFirstMs),
          n(figures.processMs),
          n(figures.loadedMs),
          n(figures.createdMs),
          n(figures.acquiredMs),
          n(figures.openedMs),
          mine.map((r) => r.spawnToFirstMs ?? "none").join(", "),
        ],
        w,
      ),
    );
  }
  const line = {
    ...common,
    scenario: "first-event",
    rounds: Math.max(0, ...runs.map((r) => r.round + 1)),
    results: result,
  };
  lines.push(line);
  print(JSON.stringify(line));
}

/** Table and JSON line of the cold starts. */
function printColdStart(
  runs: readonly ColdStartRun[],
  sides: readonly SideName[],
  processes: number,
  common: Record<string, unknown>,
  lines: Record<string, unknown>[],
  print: (line: string) => void,
): void {
  print("");
  print(
    `Cold start: ${processes} processes started 100 ms apart on fresh stores, producer running; seconds from the last start to balanced (and to every partition read), moves after each partition's first reader (max per partition; eph: lease moves), longest a partition went unread after its first read, duplicates, refused writes; one row per round`,
  );
  const w = [18, 6, 10, 9, 14, 10, 5, 5, 5];
  print(pad(["side", "round", "balanced", "all read", "moves (max)", "unread", "dup", "412", "lost"], w));
  const result: Record<string, unknown> = {};
  for (const side of sides) {
    const mine = runs.filter((r) => r.side === side);
    result[side] = mine;
    for (const r of mine) {
      print(
        pad(
          [
            side,
            String(r.round + 1),
            r.converged ? `${sec(r.balancedMs)} s` : "not",
            `${sec(r.allReadMs)} s`,
            `${r.moves} (${r.maxMovesPerPartition})${r.leaseMoves === undefined ? "" : ` L${r.leaseMoves}`}`,
            `${sec(r.longestUnreadMs)} s`,
            String(r.duplicates),
            String(r.refusedWrites),
            String(r.lost),
          ],
          w,
        ),
      );
    }
  }
  const line = { ...common, scenario: "cold-start", processes, staggerMs: 100, results: result };
  lines.push(line);
  print(JSON.stringify(line));
}
