#!/usr/bin/env node
import { simulateBurst } from "./burst-scenario.js";
import { memoryStores } from "./memory-stores.js";
import { simulate } from "./simulation.js";

// `pnpm sim [--seeds N] [--from S] [--seed S] [--duration MS]`: runs many seeded simulations and prints
// every failing seed with its replay command; `--seed S` replays one seed and prints its events.
const USAGE = `Usage: pnpm sim [--scenario chaos|burst] [--seeds N] [--from S] [--seed S] [--duration MS]
                [--upkeep heartbeat|perPartition] [--broken-observer]
  --scenario      chaos (default): crashes, pauses, joins, leaves, faults, skew;
                  burst: cold start and close of 1-4 hosts at 128-512 partitions on a store of finite throughput
  --seeds N       how many seeds to run (default 2000), starting at --from (default 1)
  --seed S        replay one seed and print its events
  --duration MS   virtual time per seed (default 120000; chaos only)
  --upkeep U      lease upkeep of the hosts (default: the balancer's default; chaos only)
  --broken-observer  hosts trust liveness records 1.5 x too long: the invariants must fail (chaos only)
`;
const known = new Set(["--scenario", "--seeds", "--from", "--seed", "--duration", "--upkeep"]);
const args = process.argv.slice(2);
const brokenObserver = args.includes("--broken-observer");
if (brokenObserver) args.splice(args.indexOf("--broken-observer"), 1);
if (args.includes("--help") || args.includes("-h")) {
  process.stdout.write(USAGE);
  process.exit(0);
}
for (let i = 0; i < args.length; i += 2) {
  if (!known.has(args[i] ?? "")) {
    process.stderr.write(`Unknown argument ${JSON.stringify(args[i])}.\n${USAGE}`);
    process.exit(2);
  }
}

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v)) {
    process.stderr.write(`--${name} needs a number\n`);
    process.exit(2);
  }
  return v;
}

const scenarioAt = process.argv.indexOf("--scenario");
const scenario = scenarioAt < 0 ? "chaos" : process.argv[scenarioAt + 1];
if (scenario !== "chaos" && scenario !== "burst") {
  process.stderr.write(`--scenario must be chaos or burst\n${USAGE}`);
  process.exit(2);
}
const upkeepAt = process.argv.indexOf("--upkeep");
const upkeep = upkeepAt < 0 ? undefined : process.argv[upkeepAt + 1];
if (upkeep !== undefined && upkeep !== "heartbeat" && upkeep !== "perPartition") {
  process.stderr.write(`--upkeep must be heartbeat or perPartition\n${USAGE}`);
  process.exit(2);
}
const one = arg("seed");
const duration = arg("duration") ?? 120_000;
const from = one ?? arg("from") ?? 1;
const count = one === undefined ? (arg("seeds") ?? 2000) : 1;
const started = performance.now();
let failed = 0;
let calls = 0;
for (let seed = from; seed < from + count; seed++) {
  if (scenario === "burst") {
    const b = await simulateBurst({ seed });
    calls += b.store.operations;
    if (one !== undefined) {
      process.stdout.write(
        `  ${b.partitions} partitions, ${b.hosts} hosts; all owned after ${b.allOwnedAfter} ms; renewal failures ${b.renewalFailures}; expired ${b.expired}; stolen ${b.stolen}; final checkpoints ${b.finalCheckpoints.stored}/${b.finalCheckpoints.attempted}; leases left owned ${b.leftOwned}; store peak ${b.store.peakInFlight} in flight, ${b.store.peakLatency.toFixed(0)} ms\n`,
      );
    }
    if (b.violations.length > 0) {
      failed++;
      process.stdout.write(
        `seed ${seed} FAILED (replay: pnpm sim --scenario burst --seed ${seed})\n  ${b.violations.join("\n  ")}\n`,
      );
    }
    continue;
  }
  const r = await simulate({
    seed,
    stores: memoryStores,
    duration,
    ...(upkeep ? { leaseUpkeep: upkeep } : {}),
    brokenObserver,
  });
  calls += r.calls;
  if (one !== undefined) for (const e of r.events) process.stdout.write(`  ${e}\n`);
  if (r.violations.length > 0) {
    failed++;
    const flags = `${upkeep ? ` --upkeep ${upkeep}` : ""}${brokenObserver ? " --broken-observer" : ""}`;
    process.stdout.write(
      `seed ${seed} FAILED (replay: pnpm sim --seed ${seed}${flags})\n  ${r.violations.join("\n  ")}\n`,
    );
  }
}
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${count} seeds, ${failed} failed, ${calls} store calls simulated, ${seconds.toFixed(1)} s\n`);
process.stdout.write(
  `${JSON.stringify({ bench: "sim", scenario, upkeep: upkeep ?? "default", brokenObserver, from, seeds: count, failed, durationMs: duration, seconds })}\n`,
);
process.exit(failed > 0 ? 1 : 0);
