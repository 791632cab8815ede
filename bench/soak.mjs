// Chaos soak: eph hosts as separate processes against the hub emulator and Azurite (behind a fault
// proxy), with a producer sending numbered events and a seeded schedule of SIGKILL, SIGSTOP/SIGCONT
// longer than the lease, graceful closes, stolen links, dropped connections, a busy hub, and storage
// errors, resets, latency and outages. Prints each check and one JSON line; exits 1 if a check fails.
//
// Run: pnpm soak --duration <seconds> [--seed N] [--partitions N] [--hosts N] [--rate EVENTS_PER_S] [--store blob|table]
import { parseArgs } from "node:util";
import { runSoak, soakSummary } from "../packages/bench-harness/dist/index.js";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "60" },
    seed: { type: "string" },
    partitions: { type: "string" },
    hosts: { type: "string" },
    rate: { type: "string" },
    store: { type: "string" },
    quiet: { type: "boolean" },
  },
});
const num = (v) => (v === undefined ? undefined : Number(v));
const report = await runSoak({
  durationMs: Number(values.duration) * 1000,
  seed: num(values.seed),
  partitions: num(values.partitions),
  hosts: num(values.hosts),
  ratePerSecond: num(values.rate),
  storeKind: values.store,
  print: values.quiet ? undefined : (line) => console.log(line),
});
for (const line of soakSummary(report)) console.log(line);
console.log(`delivery logs: ${report.dir}`);
process.exit(report.ok ? 0 : 1);
