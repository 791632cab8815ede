// eph vs @azure/event-hubs' own processor (EventHubConsumerClient.subscribe + BlobCheckpointStore),
// side by side on the same hub emulator and Azurite, with the same workload and lease timing:
// time from spawn to the first event, throughput against the raw client (at the products' default
// timing and at lease 6 s / interval 1 s), cold start of a fleet, convergence of joiners (with a
// chart), steady-state storage calls, failover after SIGKILL, graceful scale-in, and many partitions
// (512 with 1 and 4 hosts, as `pnpm bench:scale`). Prints a table and one JSON line per scenario.
//
// Run: pnpm bench [--sides eph,official-greedy,official-balanced] [--store blob|table]
//                 [--skip-first-event] [--skip-throughput] [--skip-cold-start] [--skip-membership]
//                 [--per-partition N] [--body-bytes N] [--rounds N] [--first-event-rounds N]
//                 [--cold-start-rounds N] [--rate EVENTS_PER_S] [--window MS] [--chart PATH]
//                 [--throughput-timing both|default|short] [--skip-scale]
import { parseArgs } from "node:util";
import { runBenchmark, runScaleBenchmark } from "../packages/bench-harness/dist/index.js";

const { values } = parseArgs({
  options: {
    sides: { type: "string" },
    store: { type: "string" },
    "skip-throughput": { type: "boolean" },
    "skip-membership": { type: "boolean" },
    "skip-first-event": { type: "boolean" },
    "skip-cold-start": { type: "boolean" },
    "skip-scale": { type: "boolean" },
    "body-bytes": { type: "string" },
    "first-event-rounds": { type: "string" },
    "cold-start-rounds": { type: "string" },
    "per-partition": { type: "string" },
    rounds: { type: "string" },
    rate: { type: "string" },
    window: { type: "string" },
    "throughput-timing": { type: "string", default: "both" },
    chart: { type: "string", default: new URL("../docs/convergence.svg", import.meta.url).pathname },
  },
});
const num = (v) => (v === undefined ? undefined : Number(v));
// "default": both products' defaults; "short": the membership scenarios' timing (lease 6 s, interval 1 s).
const timings = {
  default: { leaseDuration: 60_000, interval: 10_000 },
  short: { leaseDuration: 6000, interval: 1000, operationTimeout: 1000 },
};
const tt = values["throughput-timing"];
if (tt !== "both" && !(tt in timings)) {
  console.error(`--throughput-timing must be both, default or short; got ${tt}`);
  process.exit(2);
}
const started = Date.now();
await runBenchmark({
  sides: values.sides?.split(","),
  storeKind: values.store,
  skipThroughput: values["skip-throughput"],
  skipMembership: values["skip-membership"],
  skipFirstEvent: values["skip-first-event"],
  skipColdStart: values["skip-cold-start"],
  perPartition: num(values["per-partition"]),
  bodyBytes: num(values["body-bytes"]),
  firstEventRounds: num(values["first-event-rounds"]),
  coldStartRounds: num(values["cold-start-rounds"]),
  rounds: num(values.rounds),
  ratePerSecond: num(values.rate),
  storageWindowMs: num(values.window),
  chartPath: values.chart,
  throughputTimings: tt === "both" ? [timings.default, timings.short] : [timings[tt]],
});
if (!values["skip-scale"]) {
  console.log("\n## Many partitions (as pnpm bench:scale)");
  await runScaleBenchmark({ storeKind: values.store });
}
console.log(
  `wall time ${((Date.now() - started) / 1000).toFixed(0)} s; command: pnpm bench ${process.argv.slice(2).join(" ")}`,
);
process.exit(0);
