// Summarises V8 CPU profiles (`node --cpu-prof`): self time by package (node_modules package, eph
// package, node internals, GC, idle) and the top functions. Used to find where a consuming process
// spends its CPU, e.g.
//   EPH_BENCH_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" pnpm bench --sides eph --skip-membership \
//     --skip-first-event --skip-cold-start --skip-scale --rounds 1 --throughput-timing short
//   node bench/cpu-profile.mjs /tmp/prof/*.cpuprofile
// Prints a table per profile and one JSON line per profile.
import { readFileSync } from "node:fs";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node bench/cpu-profile.mjs FILE.cpuprofile...");
  process.exit(2);
}

function bucketOf(frame) {
  const url = frame.url ?? "";
  if (frame.functionName === "(garbage collector)") return "(gc)";
  if (frame.functionName === "(idle)") return "(idle)";
  if (frame.functionName === "(program)") return "(program)";
  if (url === "" || url.startsWith("node:")) return "(node)";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "node_modules/".length).split("/");
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const pkg = url.match(/packages\/([^/]+)\//);
  return pkg ? `@eph/${pkg[1]}` : url;
}

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (dt[i] ?? 0));
  }
  const buckets = new Map();
  const functions = new Map();
  let total = 0;
  let busy = 0;
  for (const [id, us] of self) {
    const frame = byId.get(id).callFrame;
    const bucket = bucketOf(frame);
    total += us;
    if (bucket !== "(idle)") busy += us;
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + us);
    const key = `${frame.functionName || "(anonymous)"} ${bucket}`;
    functions.set(key, (functions.get(key) ?? 0) + us);
  }
  const pct = (us) => `${((100 * us) / busy).toFixed(1)} %`;
  console.log(`\n${file}: ${(busy / 1000).toFixed(0)} ms busy of ${(total / 1000).toFixed(0)} ms`);
  console.log("| package | self ms | share of busy |\n|---|---|---|");
  const top = [...buckets].filter(([b]) => b !== "(idle)").sort((a, b) => b[1] - a[1]);
  for (const [b, us] of top.slice(0, 15)) console.log(`| ${b} | ${(us / 1000).toFixed(0)} | ${pct(us)} |`);
  console.log("| function | self ms | share of busy |\n|---|---|---|");
  const fns = [...functions].filter(([f]) => !f.endsWith("(idle)")).sort((a, b) => b[1] - a[1]);
  for (const [f, us] of fns.slice(0, 20)) console.log(`| ${f} | ${(us / 1000).toFixed(0)} | ${pct(us)} |`);
  console.log(
    JSON.stringify({
      bench: "cpu-profile",
      file,
      busyMs: busy / 1000,
      packages: Object.fromEntries(top.map(([b, us]) => [b, Math.round(us / 1000)])),
    }),
  );
}
