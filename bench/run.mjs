// eph vs @azure/event-hubs' own processor (EventHubConsumerClient.subscribe + BlobCheckpointStore),
// side by side on the same hub emulator and Azurite, with the same workload and lease timing:
// throughput against the raw client, convergence of joiners (with a chart), steady-state storage
// calls, failover after SIGKILL, graceful scale-in. Prints a table and one JSON line per scenario.
//
// Run: pnpm bench [--sides eph,official-greedy,official-balanced] [--store blob|table]
//                 [--skip-throughput] [--skip-membership] [--per-partition N] [--rounds N]
//                 [--rate EVENTS_PER_S] [--window MS] [--chart PATH] [--throughput-timing default|short]
import { parseArgs } from "node:util";
import { runBenchmark } from "../packages/bench-harness/dist/index.js";

const { values } = parseArgs({
  options: {
    sides: { type: "string" },
    store: { type: "string" },
    "skip-throughput": { type: "boolean" },
    "skip-membership": { type: "boolean" },
    "per-partition": { type: "string" },
    rounds: { type: "string" },
    rate: { type: "string" },
    window: { type: "string" },
    "throughput-timing": { type: "string", default: "default" },
    chart: { type: "string", default: new URL("../docs/convergence.svg", import.meta.url).pathname },
  },
});
const num = (v) => (v === undefined ? undefined : Number(v));
const started = Date.now();
await runBenchmark({
  sides: values.sides?.split(","),
  storeKind: values.store,
  skipThroughput: values["skip-throughput"],
  skipMembership: values["skip-membership"],
  perPartition: num(values["per-partition"]),
  rounds: num(values.rounds),
  ratePerSecond: num(values.rate),
  storageWindowMs: num(values.window),
  chartPath: values.chart,
  // "short": the membership scenarios' timing (lease 6 s, interval 1 s) for the throughput runs too.
  throughputTiming:
    values["throughput-timing"] === "short"
      ? { leaseDuration: 6000, interval: 1000, operationTimeout: 1000 }
      : { leaseDuration: 60_000, interval: 10_000 },
});
console.log(
  `wall time ${((Date.now() - started) / 1000).toFixed(0)} s; command: pnpm bench ${process.argv.slice(2).join(" ")}`,
);
process.exit(0);
