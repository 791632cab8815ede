#!/usr/bin/env node
import { memoryStores } from "./memory-stores.js";
import { simulate } from "./simulation.js";

// `pnpm sim [--seeds N] [--from S] [--seed S] [--duration MS]`: runs many seeded simulations and prints
// every failing seed with its replay command; `--seed S` replays one seed and prints its events.
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

const one = arg("seed");
const duration = arg("duration") ?? 120_000;
const from = one ?? arg("from") ?? 1;
const count = one === undefined ? (arg("seeds") ?? 2000) : 1;
const started = performance.now();
let failed = 0;
let calls = 0;
for (let seed = from; seed < from + count; seed++) {
  const r = await simulate({ seed, stores: memoryStores, duration });
  calls += r.calls;
  if (one !== undefined) for (const e of r.events) process.stdout.write(`  ${e}\n`);
  if (r.violations.length > 0) {
    failed++;
    process.stdout.write(`seed ${seed} FAILED (replay: pnpm sim --seed ${seed})\n  ${r.violations.join("\n  ")}\n`);
  }
}
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${count} seeds, ${failed} failed, ${calls} store calls simulated, ${seconds.toFixed(1)} s\n`);
process.stdout.write(`${JSON.stringify({ bench: "sim", seeds: count, failed, durationMs: duration, seconds })}\n`);
process.exit(failed > 0 ? 1 : 0);
