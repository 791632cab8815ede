// Table stores benchmark: @eph/leaser-table and @eph/checkpointer-table on Azurite's table service
// (in-memory, in a child process so client and server do not share an event loop).
// 1. Latency of each store call (p50/p95/p99 over many calls).
// 2. Steady-state storage calls per partition per hour: real core Balancers over TableLeaser with
//    scaled-down timing (renewal = scan = 1 s), calls counted by a pipeline policy, scaled to the
//    default 10 s intervals (calls per interval do not depend on its length).
// Run: pnpm -r --filter "@eph/leaser-table..." --filter "@eph/checkpointer-table..." build && node bench/table-stores.mjs
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { cpus } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { TableCheckpointer } from "../packages/checkpointer-table/dist/esm/index.js";
import { Balancer } from "../packages/core/dist/esm/index.js";
import { TableLeaser } from "../packages/leaser-table/dist/esm/index.js";

const leaserDir = fileURLToPath(new URL("../packages/leaser-table/", import.meta.url));
const { TableClient } = await import(pathToFileURL(createRequire(leaserDir).resolve("@azure/data-tables")).href);

// --- Azurite in a child process -------------------------------------------------------------------
const testingUrl = new URL("../packages/testing/dist/index.js", import.meta.url).href;
const child = spawn(
  process.execPath,
  [
    "--input-type=module",
    "-e",
    `const { startAzurite } = await import(${JSON.stringify(testingUrl)});
     const a = await startAzurite();
     console.log(JSON.stringify({ connectionString: a.connectionString }));
     process.stdin.resume(); process.stdin.on("end", async () => { await a.close(); process.exit(0); });`,
  ],
  { stdio: ["pipe", "pipe", "inherit"] },
);
const { connectionString } = await new Promise((resolve, reject) => {
  let buf = "";
  child.stdout.on("data", (d) => {
    buf += d;
    const line = buf.split("\n").find((l) => l.startsWith("{"));
    if (line) resolve(JSON.parse(line));
  });
  child.on("exit", (code) => reject(new Error(`azurite exited ${code}`)));
});

let tableSeq = 0;
function client(tableName, counter) {
  const c = TableClient.fromConnectionString(connectionString, tableName, { allowInsecureConnection: true });
  if (counter) {
    c.pipeline.addPolicy(
      {
        name: "bench-call-counter",
        sendRequest(request, next) {
          counter.n++;
          return next(request);
        },
      },
      { afterPhase: "Retry" },
    );
  }
  return c;
}
const info = (hostName) => ({
  hostName,
  fullyQualifiedNamespace: "bench.servicebus.windows.net",
  eventHubName: "hub",
  consumerGroup: "$Default",
});
const ids = (n) => Array.from({ length: n }, (_, i) => String(i));

// --- 1. latencies -----------------------------------------------------------------------------------
function stats(samples) {
  const s = samples.slice().sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, p50: q(0.5), p95: q(0.95), p99: q(0.99) };
}
async function time(n, fn) {
  const samples = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    samples.push(performance.now() - t);
  }
  return stats(samples);
}

const N = 300;
const latency = {};
{
  const tableName = `bench${++tableSeq}`;
  const counter = { n: 0 };
  const leaser = new TableLeaser(client(tableName, counter));
  leaser.setEventProcessorHost(info("a"));
  await leaser.ensureStore();
  const other = new TableLeaser(client(tableName));
  other.setEventProcessorHost(info("b"));
  // Warm up connections and the JIT.
  for (let i = 0; i < 50; i++) await leaser.ensureLease(`w${i}`);
  for (const p of ids(32)) await leaser.ensureLease(p);
  latency.ensureLeaseCreate = await time(N, (i) => leaser.ensureLease(`c${i}`));
  latency.ensureLeaseExisting = await time(N, () => leaser.ensureLease("0"));
  for (let i = 0; i < 50 + N; i++) await leaser.deleteLease(i < 50 ? `w${i}` : `c${i - 50}`);
  latency.getLeases32 = await time(N, () => leaser.getLeases());
  let turn = 0;
  latency.acquireAfterScan = await time(N, async () => {
    const who = turn++ % 2 === 0 ? other : leaser;
    const [lease] = (await who.getLeases()).filter((l) => l.partitionId === "0");
    const t = performance.now();
    await who.acquireLease("0", { expectedVersion: lease.version });
    return performance.now() - t;
  });
  // acquireAfterScan above timed scan + acquire; time the acquire alone:
  const acquireOnly = [];
  for (let i = 0; i < N; i++) {
    const who = i % 2 === 0 ? other : leaser;
    const [lease] = (await who.getLeases()).filter((l) => l.partitionId === "0");
    const t = performance.now();
    await who.acquireLease("0", { expectedVersion: lease.version });
    acquireOnly.push(performance.now() - t);
  }
  delete latency.acquireAfterScan;
  latency.acquireWithVersion = stats(acquireOnly);
  await leaser.acquireLease("1");
  latency.renewLease = await time(N, () => leaser.renewLease("1"));
  for (const p of ids(32)) await leaser.acquireLease(p).catch(() => undefined);
  counter.n = 0;
  latency.renew32Grouped = await time(N / 3, () => Promise.all(ids(32).map((p) => leaser.renewLease(p))));
  latency.renew32GroupedCalls = counter.n / (N / 3);
  const ungrouped = new TableLeaser(client(tableName), { groupWrites: false });
  ungrouped.setEventProcessorHost(info("c"));
  for (const p of ids(32)) await ungrouped.acquireLease(p);
  latency.renew32Single = await time(N / 3, () => Promise.all(ids(32).map((p) => ungrouped.renewLease(p))));
  latency.releaseAcquire = await time(N, async () => {
    await ungrouped.releaseLease("2");
    await ungrouped.acquireLease("2");
  });

  const cp = new TableCheckpointer(client(tableName));
  cp.setEventProcessorHost(info("a"));
  await cp.ensureCheckpoint("0", { epoch: 1 });
  let seq = 0;
  const at = () => ({ offset: String(seq * 100), sequenceNumber: seq++, enqueuedTime: new Date() });
  latency.updateCheckpoint = await time(N, () => cp.updateCheckpoint("0", at(), { epoch: 1 }));
  latency.getCheckpoint = await time(N, () => cp.getCheckpoint("0"));
  latency.ensureCheckpointSameEpoch = await time(N, () => cp.ensureCheckpoint("0", { epoch: 1 }));
  await client(tableName).deleteTable();
}

// --- 2. steady-state calls with real balancers --------------------------------------------------------
async function steady({ partitions, hosts, groupWrites }) {
  const tableName = `bench${++tableSeq}`;
  const timing = { renewalInterval: 1000, scanInterval: 1000, leaseDuration: 6000 };
  const counters = [];
  const balancers = [];
  for (let h = 0; h < hosts; h++) {
    const counter = { n: 0 };
    counters.push(counter);
    const leaser = new TableLeaser(client(tableName, counter), { groupWrites });
    leaser.setEventProcessorHost(info(`host-${h}`));
    await leaser.ensureStore();
    balancers.push(new Balancer({ leaser, hostName: `host-${h}`, partitionIds: () => ids(partitions), ...timing }));
  }
  for (const b of balancers) b.start();
  // Settle: every partition owned and no moves for a while.
  const settleUntil = performance.now() + 20_000;
  let stableSince = performance.now();
  let last = "";
  while (performance.now() < settleUntil) {
    await new Promise((r) => setTimeout(r, 250));
    const owned = balancers.map((b) => b.ownedPartitions().length);
    const key = owned.join(",");
    if (key !== last || owned.reduce((a, b) => a + b, 0) !== partitions) {
      last = key;
      stableSince = performance.now();
    } else if (performance.now() - stableSince > 3000) break;
  }
  const window = 10_000;
  for (const c of counters) c.n = 0;
  const owned0 = balancers.map((b) =>
    b
      .ownedPartitions()
      .map((p) => `${p.partitionId}@${p.epoch}`)
      .join(),
  );
  await new Promise((r) => setTimeout(r, window));
  const calls = counters.reduce((a, c) => a + c.n, 0);
  const owned1 = balancers.map((b) =>
    b
      .ownedPartitions()
      .map((p) => `${p.partitionId}@${p.epoch}`)
      .join(),
  );
  for (const b of balancers) await b.stop();
  await client(tableName).deleteTable();
  const intervals = window / timing.renewalInterval;
  const perPartitionPerInterval = calls / partitions / intervals;
  return {
    partitions,
    hosts,
    groupWrites,
    movesDuringWindow: owned0.join("|") === owned1.join("|") ? 0 : "some",
    callsPerPartitionPerInterval: perPartitionPerInterval,
    callsPerPartitionPerHourAt10s: perPartitionPerInterval * 360,
    callsPerHostPerHourAt10s: (calls / hosts / intervals) * 360,
  };
}

const steadyRows = [];
for (const c of [
  { partitions: 32, hosts: 2, groupWrites: true },
  { partitions: 32, hosts: 2, groupWrites: false },
  { partitions: 32, hosts: 4, groupWrites: true },
  { partitions: 32, hosts: 4, groupWrites: false },
]) {
  steadyRows.push(await steady(c));
}

child.stdin.end();

// --- report ---------------------------------------------------------------------------------------------
const f = (x) => (typeof x === "number" ? x.toFixed(2) : String(x));
console.log("call                         |   n | p50 ms | p95 ms | p99 ms");
for (const [name, s] of Object.entries(latency)) {
  if (typeof s !== "object") continue;
  console.log(
    `${name.padEnd(28)} | ${String(s.n).padStart(3)} | ${f(s.p50).padStart(6)} | ${f(s.p95).padStart(6)} | ${f(s.p99).padStart(6)}`,
  );
}
console.log(`storage calls per grouped renewal of 32 leases: ${f(latency.renew32GroupedCalls)}`);
console.log("P x H    | grouped | calls/partition/interval | calls/partition/h (10 s) | calls/host/h (10 s) | moves");
for (const r of steadyRows) {
  console.log(
    `${`${r.partitions} x ${r.hosts}`.padEnd(8)} | ${String(r.groupWrites).padEnd(7)} | ${f(r.callsPerPartitionPerInterval).padStart(24)} | ${f(r.callsPerPartitionPerHourAt10s).padStart(24)} | ${f(r.callsPerHostPerHourAt10s).padStart(19)} | ${r.movesDuringWindow}`,
  );
}
console.log(
  JSON.stringify({
    bench: "table-stores",
    date: new Date().toISOString(),
    cores: cpus().length,
    node: process.version,
    latency,
    steady: steadyRows,
  }),
);
