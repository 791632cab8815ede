import { cpus, loadavg } from "node:os";
import { startBenchEnvironment } from "./bench-environment.js";
import { runScale, type ScaleRun, scaleConsumerGroups } from "./scale-scenario.js";
import type { EphStoreConfig, LeaseTiming } from "./worker-config.js";

/** Options of {@link runScaleBenchmark}; every one has the default of issue 12 §6. */
export interface ScaleBenchmarkOptions {
  /** Partitions of the hub. Default 512. */
  readonly partitions?: number;
  /** Fleet sizes. Default 1 and 4. */
  readonly hostCounts?: readonly number[];
  /** Events per second over the hub. Default one per partition. */
  readonly ratePerSecond?: number;
  /** eph's store-call deadline (ms). Default: the host's own at this timing (1 s). */
  readonly operationTimeout?: number;
  /** Length of the steady window (ms). Default 20 000. */
  readonly steadyMs?: number;
  /** Skip the raw client's run. */
  readonly skipRaw?: boolean;
  readonly storeKind?: EphStoreConfig["kind"];
  /** Where the table and the JSON line go. Default `console.log`. */
  readonly print?: (line: string) => void;
}

const capMs = 120_000;

/**
 * Many partitions (issue 12 §6) in its own environment: a hub of `partitions`, renewal = scan = 2 s,
 * lease 12 s; prints a table and one JSON line, returns the runs.
 */
export async function runScaleBenchmark(options: ScaleBenchmarkOptions = {}): Promise<ScaleRun[]> {
  const print = options.print ?? ((line: string) => console.log(line));
  const partitions = options.partitions ?? 512;
  const hostCounts = options.hostCounts ?? [1, 4];
  const ratePerSecond = options.ratePerSecond ?? partitions;
  const timing: LeaseTiming = {
    leaseDuration: 12_000,
    interval: 2_000,
    ...(options.operationTimeout === undefined ? {} : { operationTimeout: options.operationTimeout }),
  };
  const load = [loadavg()[0] ?? 0];
  const env = await startBenchEnvironment({ scale: { partitions, consumerGroups: scaleConsumerGroups(hostCounts) } });
  let runs: ScaleRun[];
  try {
    runs = await runScale(
      env,
      { timing, maxBatchSize: 100, maxWaitTimeInSeconds: 1, storeKind: options.storeKind ?? "blob" },
      {
        hub: "scale",
        partitions,
        hostCounts,
        staggerMs: 100,
        ratePerSecond,
        capMs,
        settleMs: 10_000,
        steadyMs: options.steadyMs ?? 20_000,
        rawReference: !options.skipRaw,
      },
      (line) => {
        load.push(loadavg()[0] ?? 0);
        print(line);
      },
    );
  } finally {
    await env.close();
  }
  for (const line of scaleTable(runs)) print(line);
  print(`load average ${load.map((l) => l.toFixed(1)).join(" → ")}`);
  print(
    JSON.stringify({
      bench: "scale",
      date: new Date().toISOString(),
      cores: cpus().length,
      partitions,
      ratePerSecond,
      timing,
      loadAverage: load,
      runs,
    }),
  );
  return runs;
}

const total = (r: Readonly<Record<string, number>>) => Object.values(r).reduce((a, b) => a + b, 0);
const top = (r: Readonly<Record<string, number>>) =>
  Object.entries(r)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ") || "-";
const seconds = (ms: number | undefined) =>
  ms === undefined ? `not within ${capMs / 1000} s` : `${(ms / 1000).toFixed(1)} s`;

/** The markdown table of {@link runScaleBenchmark}. */
export function scaleTable(runs: readonly ScaleRun[]): string[] {
  const lines = [
    "",
    "| side | hosts | all opened | all read | start-up errors (most frequent) | lost / stolen | lease calls/s per host | checkpoint calls/s per host | CPU cores per host | RSS MiB per host | close: time / checkpoints behind / leases left owned / errors |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of runs) {
    const eph = r.side === "eph";
    const dash = (text: string) => (eph ? text : "-");
    lines.push(
      `| ${r.side} | ${r.hosts} | ${seconds(r.allOpenedMs)} | ${seconds(r.allReadMs)} | ${dash(`${total(r.startupErrors)} (${top(r.startupErrors)})`)} | ${dash(String(r.lostOrStolen))} | ${dash(r.steady.leaseCallsPerSecond.toFixed(0))} | ${dash(r.steady.checkpointCallsPerSecond.toFixed(1))} | ${r.steady.cpuCores.toFixed(2)} | ${r.steady.rssMiB.toFixed(0)} | ${dash(`${seconds(r.close.ms)} / ${r.close.checkpointsBehind} / ${r.close.leasesLeftOwned} / ${total(r.close.errors)} (${top(r.close.errors)})`)} |`,
    );
  }
  return lines;
}
