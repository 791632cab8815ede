// Blob stores benchmark: @eph/leaser-blob and @eph/checkpointer-blob on Azurite's blob service
// (in-memory, in a child process so client and server do not share an event loop).
// 1. Latency of each store call (p50/p95/p99 over many calls) and the storage calls each one costs.
// 2. Steady-state storage calls per partition per hour: real core Balancers over BlobLeaser with
//    scaled-down timing (renewal = scan = 2 s, lease 12 s), every HTTP attempt counted by a pipeline
//    policy after the retry policy over 15 intervals, scaled to the default 10 s intervals (calls per
//    interval do not depend on its length).
// Run: pnpm build && node bench/blob-stores.mjs
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { cpus } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BlobCheckpointer } from "../packages/checkpointer-blob/dist/esm/index.js";
import { Balancer } from "../packages/core/dist/esm/index.js";
import { BlobLeaser } from "../packages/leaser-blob/dist/esm/index.js";

const leaserDir = fileURLToPath(new URL("../packages/leaser-blob/", import.meta.url));
const { BlobServiceClient } = await import(pathToFileURL(createRequire(leaserDir).resolve("@azure/storage-blob")).href);

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

let containerSeq = 0;
/**
 * A ContainerClient with its own pipeline (clients made from one service client share it), counting
 * every HTTP attempt when `counter` is given. The policy goes into the SDK's pipeline after the retry
 * policy; the property is internal to @azure/storage-blob, which is fine for a benchmark.
 */
function container(containerName, counter) {
  const c = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(containerName);
  if (counter) {
    c.storageClientContext.pipeline.addPolicy(
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
/** Times `fn` n times; also counts the storage calls of each (with `counter`). */
async function time(n, counter, fn) {
  const samples = [];
  const before = counter.n;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    samples.push(performance.now() - t);
  }
  return { ...stats(samples), callsEach: (counter.n - before) / n };
}

const N = 300;
const latency = {};
{
  const containerName = `bench${++containerSeq}`;
  const counter = { n: 0 };
  const leaser = new BlobLeaser(container(containerName, counter));
  leaser.setEventProcessorHost(info("a"));
  await leaser.ensureStore();
  const otherCounter = { n: 0 };
  const other = new BlobLeaser(container(containerName, otherCounter));
  other.setEventProcessorHost(info("b"));
  // Warm up connections and the JIT.
  for (let i = 0; i < 50; i++) await leaser.ensureLease(`w${i}`);
  for (let i = 0; i < 50; i++) await leaser.deleteLease(`w${i}`);
  for (const p of ids(32)) await leaser.ensureLease(p);
  latency.ensureLeaseCreate = await time(N, counter, (i) => leaser.ensureLease(`c${i}`));
  latency.ensureLeaseExisting = await time(N, counter, () => leaser.ensureLease("0"));
  for (let i = 0; i < N; i++) await leaser.deleteLease(`c${i}`);
  latency.getLeases32 = await time(N, counter, () => leaser.getLeases());
  // Acquire with the version from a scan (the balancer's path), alternating hosts: time the acquire only.
  const acquireOnly = [];
  let acquireCalls = 0;
  for (let i = 0; i < N; i++) {
    const [who, c] = i % 2 === 0 ? [other, otherCounter] : [leaser, counter];
    const [lease] = (await who.getLeases()).filter((l) => l.partitionId === "0");
    const before = c.n;
    const t = performance.now();
    await who.acquireLease("0", { expectedVersion: lease.version });
    acquireOnly.push(performance.now() - t);
    acquireCalls += c.n - before;
  }
  latency.acquireWithVersion = { ...stats(acquireOnly), callsEach: acquireCalls / N };
  latency.acquireWithoutVersion = await time(N, counter, () => leaser.acquireLease("1"));
  latency.renewLease = await time(N, counter, () => leaser.renewLease("1"));
  latency.releaseThenAcquire = await time(N, counter, async () => {
    await leaser.releaseLease("1");
    await leaser.acquireLease("1");
  });
  for (const p of ids(32)) await leaser.acquireLease(p);
  latency.renew32Concurrent = await time(N / 3, counter, () => Promise.all(ids(32).map((p) => leaser.renewLease(p))));

  const cpCounter = { n: 0 };
  const cp = new BlobCheckpointer(container(containerName, cpCounter));
  cp.setEventProcessorHost(info("a"));
  const cp2 = new BlobCheckpointer(container(containerName, cpCounter));
  cp2.setEventProcessorHost(info("b"));
  await cp.ensureCheckpoint("0", { epoch: 1 });
  let seq = 0;
  const at = () => ({ offset: String(seq * 100), sequenceNumber: seq++, enqueuedTime: new Date() });
  latency.updateCheckpoint = await time(N, cpCounter, () => cp.updateCheckpoint("0", at(), { epoch: 1 }));
  // Two writers taking turns: each finds its cached ETag stale (412), reads, writes again.
  latency.updateCheckpointAlternating = await time(N, cpCounter, (i) =>
    (i % 2 === 0 ? cp2 : cp).updateCheckpoint("0", at(), { epoch: 1 }),
  );
  latency.getCheckpoint = await time(N, cpCounter, () => cp.getCheckpoint("0"));
  latency.ensureCheckpointSameEpoch = await time(N, cpCounter, () => cp.ensureCheckpoint("0", { epoch: 1 }));
  let epoch = 1;
  latency.ensureCheckpointNewEpoch = await time(N, cpCounter, () => cp.ensureCheckpoint("0", { epoch: ++epoch }));
  const official = new BlobCheckpointer(container(containerName, cpCounter), { layout: "checkpointstore-blob" });
  // Another hub: both layouts keep partition 0's record at checkpoint/0, whose fence is now far above 1.
  official.setEventProcessorHost({ ...info("a"), eventHubName: "hub-official" });
  await official.ensureCheckpoint("0", { epoch: 1 });
  latency.updateCheckpointOfficialLayout = await time(N, cpCounter, () =>
    official.updateCheckpoint("0", at(), { epoch: 1 }),
  );
  await container(containerName).delete();
}

// --- 2. steady-state calls with real balancers --------------------------------------------------------
async function steady({ partitions, hosts }) {
  const containerName = `bench${++containerSeq}`;
  // Intervals are scaled down, store latency is not: keep the default deadline of one call (a quarter of
  // the default 10 s renewal interval) so that a slow moment of the shared machine does not drop leases.
  const timing = { renewalInterval: 2000, scanInterval: 2000, leaseDuration: 12_000, operationTimeout: 2500 };
  const counters = [];
  const balancers = [];
  for (let h = 0; h < hosts; h++) {
    const counter = { n: 0, lists: 0 };
    counters.push(counter);
    const leaser = new BlobLeaser(container(containerName, counter));
    leaser.setEventProcessorHost(info(`host-${h}`));
    await leaser.ensureStore();
    balancers.push(new Balancer({ leaser, hostName: `host-${h}`, partitionIds: () => ids(partitions), ...timing }));
  }
  for (const b of balancers) b.start();
  // Settle: every partition owned and no moves for a while.
  const settleUntil = performance.now() + 60_000;
  let stableSince = performance.now();
  let last = "";
  while (performance.now() < settleUntil) {
    await new Promise((r) => setTimeout(r, 250));
    const owned = balancers.map((b) => b.ownedPartitions().length);
    const key = owned.join(",");
    if (key !== last || owned.reduce((a, b) => a + b, 0) !== partitions) {
      last = key;
      stableSince = performance.now();
    } else if (performance.now() - stableSince > 2 * timing.scanInterval + 1000) break;
  }
  const window = 15 * timing.renewalInterval;
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
  const before = new Set(owned0.join().split(","));
  const moves = owned1
    .join()
    .split(",")
    .filter((p) => p !== "" && !before.has(p)).length;
  for (const b of balancers) await b.stop();
  await container(containerName).delete();
  const intervals = window / timing.renewalInterval;
  const perPartitionPerInterval = calls / partitions / intervals;
  return {
    partitions,
    hosts,
    movesDuringWindow: moves,
    callsPerPartitionPerInterval: perPartitionPerInterval,
    callsPerPartitionPerHourAt10s: perPartitionPerInterval * 360,
    callsPerHostPerHourAt10s: (calls / hosts / intervals) * 360,
  };
}

const steadyRows = [];
for (const c of [
  { partitions: 32, hosts: 1 },
  { partitions: 32, hosts: 4 },
  { partitions: 128, hosts: 4 },
]) {
  steadyRows.push(await steady(c));
}

child.stdin.end();

// --- report ---------------------------------------------------------------------------------------------
const f = (x) => (typeof x === "number" ? x.toFixed(2) : String(x));
console.log("call                            |   n | p50 ms | p95 ms | p99 ms | storage calls each");
for (const [name, s] of Object.entries(latency)) {
  console.log(
    `${name.padEnd(31)} | ${String(s.n).padStart(3)} | ${f(s.p50).padStart(6)} | ${f(s.p95).padStart(6)} | ${f(s.p99).padStart(6)} | ${f(s.callsEach)}`,
  );
}
console.log("P x H    | calls/partition/interval | calls/partition/h (10 s) | calls/host/h (10 s) | moves");
for (const r of steadyRows) {
  console.log(
    `${`${r.partitions} x ${r.hosts}`.padEnd(8)} | ${f(r.callsPerPartitionPerInterval).padStart(24)} | ${f(r.callsPerPartitionPerHourAt10s).padStart(24)} | ${f(r.callsPerHostPerHourAt10s).padStart(19)} | ${r.movesDuringWindow}`,
  );
}
console.log(
  JSON.stringify({
    bench: "blob-stores",
    date: new Date().toISOString(),
    cores: cpus().length,
    node: process.version,
    latency,
    steady: steadyRows,
  }),
);
