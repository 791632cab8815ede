// Many partitions (issue 12 §6): eph hosts as separate processes on one large hub, blob stores on
// Azurite, renewal = scan = 2 s, lease 12 s, a producer sending ~1 event/s per partition. For each fleet
// size: time until every partition was read, the start-up burst's errors, partitions lost or stolen,
// storage calls, CPU and RSS per host at steady state, and what `close()` stored and released. First,
// unless --skip-raw, the raw EventHubConsumerClient alone on the same hub: how long receiver attach
// alone takes to read every partition (the bound on "all read" on this machine). Prints a table and one
// JSON line.
//
// Run: pnpm bench:scale [--partitions 512] [--hosts 1,4] [--rate EVENTS_PER_S] [--operation-timeout MS]
//                       [--steady MS] [--skip-raw] [--store blob|table]
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { runScale, scaleConsumerGroups, startBenchEnvironment } from "../packages/bench-harness/dist/index.js";

const { values } = parseArgs({
  options: {
    partitions: { type: "string", default: "512" },
    hosts: { type: "string", default: "1,4" },
    rate: { type: "string" },
    "operation-timeout": { type: "string" },
    steady: { type: "string", default: "20000" },
    "skip-raw": { type: "boolean" },
    store: { type: "string", default: "blob" },
  },
});
const partitions = Number(values.partitions);
const hostCounts = values.hosts.split(",").map(Number);
const ratePerSecond = values.rate === undefined ? partitions : Number(values.rate);
if (!Number.isInteger(partitions) || partitions < 1 || hostCounts.some((n) => !Number.isInteger(n) || n < 1)) {
  console.error("--partitions and --hosts must be positive integers");
  process.exit(2);
}
const timing = {
  leaseDuration: 12_000,
  interval: 2_000,
  ...(values["operation-timeout"] === undefined ? {} : { operationTimeout: Number(values["operation-timeout"]) }),
};
const started = Date.now();
const load = [loadavg()[0]];
const env = await startBenchEnvironment({ scale: { partitions, consumerGroups: scaleConsumerGroups(hostCounts) } });
let runs;
try {
  runs = await runScale(
    env,
    { timing, maxBatchSize: 100, maxWaitTimeInSeconds: 1, storeKind: values.store },
    {
      hub: "scale",
      partitions,
      hostCounts,
      staggerMs: 100,
      ratePerSecond,
      capMs: 120_000,
      settleMs: 10_000,
      steadyMs: Number(values.steady),
      rawReference: !values["skip-raw"],
    },
    (line) => {
      load.push(loadavg()[0]);
      console.log(line);
    },
  );
} finally {
  await env.close();
}
const total = (r) => Object.values(r).reduce((a, b) => a + b, 0);
const top = (r) =>
  Object.entries(r)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ") || "-";
const s = (ms) => (ms === undefined ? "not within 120 s" : `${(ms / 1000).toFixed(1)} s`);
console.log(
  "\n| side | hosts | all opened | all read | start-up errors (most frequent) | lost / stolen | lease calls/s per host | checkpoint calls/s per host | CPU cores per host | RSS MiB per host | close: time / checkpoints behind / leases left owned / errors |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|---|");
for (const r of runs) {
  const raw = r.side === "raw";
  console.log(
    `| ${r.side} | ${r.hosts} | ${s(r.allOpenedMs)} | ${s(r.allReadMs)} | ${raw ? "-" : `${total(r.startupErrors)} (${top(r.startupErrors)})`} | ${raw ? "-" : r.lostOrStolen} | ${raw ? "-" : r.steady.leaseCallsPerSecond.toFixed(0)} | ${raw ? "-" : r.steady.checkpointCallsPerSecond.toFixed(1)} | ${r.steady.cpuCores.toFixed(2)} | ${r.steady.rssMiB.toFixed(0)} | ${raw ? "-" : `${s(r.close.ms)} / ${r.close.checkpointsBehind} / ${r.close.leasesLeftOwned} / ${total(r.close.errors)} (${top(r.close.errors)})`} |`,
  );
}
console.log(
  `\nwall time ${((Date.now() - started) / 1000).toFixed(0)} s; load average ${load.map((l) => l.toFixed(1)).join(" → ")}; command: pnpm bench:scale ${process.argv.slice(2).join(" ")}`,
);
console.log(
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
process.exit(0);
