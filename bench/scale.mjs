// Many partitions (issue 12 §6): eph hosts as separate processes on one large hub, blob stores on
// Azurite, renewal = scan = 2 s, lease 12 s, a producer sending ~1 event/s per partition. For each fleet
// size: time until every partition was read, the start-up burst's errors, partitions lost or stolen,
// storage calls, CPU and RSS per host at steady state, and what `close()` stored and released (read
// back from the stores). First, unless --skip-raw, the raw EventHubConsumerClient alone on the same hub:
// how long receiver attach alone takes to read every partition (the bound on "all read" here). Prints
// a table and one JSON line. `pnpm bench` runs the same with its defaults (unless --skip-scale).
//
// Run: pnpm bench:scale [--partitions 512] [--hosts 1,4] [--rate EVENTS_PER_S] [--operation-timeout MS]
//                       [--steady MS] [--skip-raw] [--store blob|table]
import { parseArgs } from "node:util";
import { runScaleBenchmark } from "../packages/bench-harness/dist/index.js";

const { values } = parseArgs({
  options: {
    partitions: { type: "string" },
    hosts: { type: "string" },
    rate: { type: "string" },
    "operation-timeout": { type: "string" },
    steady: { type: "string" },
    "skip-raw": { type: "boolean" },
    store: { type: "string" },
  },
});
const num = (v) => (v === undefined ? undefined : Number(v));
const started = Date.now();
await runScaleBenchmark({
  partitions: num(values.partitions),
  hostCounts: values.hosts?.split(",").map(Number),
  ratePerSecond: num(values.rate),
  operationTimeout: num(values["operation-timeout"]),
  steadyMs: num(values.steady),
  skipRaw: values["skip-raw"],
  storeKind: values.store,
});
console.log(
  `wall time ${((Date.now() - started) / 1000).toFixed(0)} s; command: pnpm bench:scale ${process.argv.slice(2).join(" ")}`,
);
process.exit(0);
