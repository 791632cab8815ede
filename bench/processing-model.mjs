// The processing model of issue 15: throughput of a per-event and a batch handler against the raw
// client, ordered concurrency with an I/O-like handler, and the memory of a host far behind its hub.
// The emulator runs in a child process; the sides read one after another in this process, each with
// its own consumer group over the same preloaded events, memory stores (the handler model is measured,
// not a store). Prints a table and one JSON line per scenario.
//
// Run: pnpm build && node --expose-gc bench/processing-model.mjs [--events 100000] [--skip-throughput]
//                                                    [--skip-concurrency] [--skip-memory]
import { fork } from "node:child_process";
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { MemoryCheckpointer } from "../packages/checkpointer-memory/dist/esm/index.js";
import { EventProcessorHost } from "../packages/host/dist/esm/index.js";
import { MemoryLeaser } from "../packages/leaser-memory/dist/esm/index.js";

// The client the host depends on (pnpm does not hoist it to the repository root).
const { EventHubConsumerClient, EventHubProducerClient, earliestEventPosition } = createRequire(
  new URL("../packages/host/package.json", import.meta.url),
)("@azure/event-hubs");

const partitions = 32;
const groups = ["raw", "perEvent", "batch", "perEventShort", "batchShort", "c1", "c8", "mem10", "mem100"];

async function main() {
  const { values } = parseArgs({
    options: {
      events: { type: "string", default: "100000" },
      "skip-throughput": { type: "boolean" },
      "skip-concurrency": { type: "boolean" },
      "skip-memory": { type: "boolean" },
    },
  });
  const child = fork(new URL(import.meta.url).pathname, ["--emulator-child"], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const { connectionStrings } = await new Promise((resolve) => child.once("message", resolve));
  const cs = (hub) => connectionStrings[hub];
  const results = {};
  try {
    if (!values["skip-throughput"]) results.throughput = await throughput(cs("drain"), Number(values.events));
    if (!values["skip-concurrency"]) results.concurrency = await concurrency(cs("keyed"));
    if (!values["skip-memory"]) results.memory = await memory(cs);
  } finally {
    child.send("stop");
  }
  console.log(
    JSON.stringify({ bench: "processing-model", at: new Date().toISOString(), node: process.version, ...results }),
  );
}

/** Sends `count` events of `bytes` round-robin over the partitions (or by `keyOf(i)` when given). */
async function preload(connectionString, count, bytes, keyOf) {
  const producer = new EventHubProducerClient(connectionString);
  const body = "x".repeat(bytes);
  try {
    if (keyOf) {
      const byKey = new Map();
      for (let i = 0; i < count; i++) {
        const key = keyOf(i);
        if (!byKey.has(key)) byKey.set(key, []);
        byKey.get(key).push({ body: `${key}:${i}` });
      }
      await Promise.all(
        [...byKey].map(async ([partitionKey, events]) => {
          for (let i = 0; i < events.length; i += 200) {
            await producer.sendBatch(events.slice(i, i + 200), { partitionKey });
          }
        }),
      );
      return;
    }
    const per = Math.ceil(count / partitions);
    await Promise.all(
      Array.from({ length: partitions }, async (_, p) => {
        let batch = await producer.createBatch({ partitionId: String(p) });
        for (let i = 0; i < per; i++) {
          if (!batch.tryAdd({ body })) {
            await producer.sendBatch(batch);
            batch = await producer.createBatch({ partitionId: String(p) });
            batch.tryAdd({ body });
          }
        }
        if (batch.count > 0) await producer.sendBatch(batch);
      }),
    );
  } finally {
    await producer.close();
  }
}

const shortTiming = { leaseDuration: 6000, renewalInterval: 1000, scanInterval: 1000, operationTimeout: 1000 };

async function host(connectionString, consumerGroup, options = {}) {
  return EventProcessorHost.fromConnectionString(connectionString, new MemoryLeaser(), new MemoryCheckpointer(), {
    consumerGroup,
    noBanner: true,
    maxWaitTimeInSeconds: 1,
    ...options,
  });
}

/** Resolves with the time (ms) from now until `done()` holds, polling every 5 ms. */
async function until(done, timeoutMs = 300_000) {
  const started = performance.now();
  while (!done()) {
    if (performance.now() - started > timeoutMs) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - started;
}

async function throughput(connectionString, total) {
  await preload(connectionString, total, 1024);
  const count = Math.ceil(total / partitions) * partitions;
  const rows = [];
  const raw = async () => {
    const client = new EventHubConsumerClient("raw", connectionString);
    let seen = 0;
    const started = performance.now();
    const sub = client.subscribe(
      {
        processEvents: async (events) => {
          seen += events.length;
        },
        processError: async () => undefined,
      },
      { startPosition: earliestEventPosition, maxBatchSize: 100, maxWaitTimeInSeconds: 1 },
    );
    await until(() => seen >= count);
    const ms = performance.now() - started;
    await sub.close();
    await client.close();
    return ms;
  };
  const eph = async (group, kind, timing) => {
    const h = await host(connectionString, group, timing);
    let seen = 0;
    if (kind === "batch") {
      h.registerBatchHandler(
        (events) => {
          seen += events.length;
        },
        { maxBatchSize: 100 },
      );
    } else {
      h.registerHandler(() => {
        seen++;
      });
    }
    const started = performance.now();
    await h.startNonBlocking();
    await until(() => seen >= count);
    const ms = performance.now() - started;
    await h.close();
    return ms;
  };
  const rawMs = await raw();
  rows.push({ side: "raw EventHubConsumerClient.subscribe", timing: "-", ms: rawMs });
  rows.push({ side: "eph per-event handler", timing: "default", ms: await eph("perEvent", "event", {}) });
  rows.push({ side: "eph batch handler (maxBatchSize 100)", timing: "default", ms: await eph("batch", "batch", {}) });
  rows.push({
    side: "eph per-event handler",
    timing: "1 s / 6 s",
    ms: await eph("perEventShort", "event", shortTiming),
  });
  rows.push({
    side: "eph batch handler (maxBatchSize 100)",
    timing: "1 s / 6 s",
    ms: await eph("batchShort", "batch", shortTiming),
  });
  console.log(`\nThroughput: draining ${count} events of 1 KiB from ${partitions} partitions`);
  console.log("| side | timing | drain s | events/s | × raw |\n|---|---|---|---|---|");
  for (const r of rows) {
    r.eventsPerSecond = Math.round(count / (r.ms / 1000));
    r.ratio = Number((rawMs / r.ms).toFixed(2));
    console.log(`| ${r.side} | ${r.timing} | ${(r.ms / 1000).toFixed(2)} | ${r.eventsPerSecond} | ${r.ratio} |`);
  }
  return { events: count, rows };
}

async function concurrency(connectionString) {
  // 64 distinct keys per partition on average: 2048 keys hashed over the 32 partitions.
  const count = 9600;
  await preload(connectionString, count, 16, (i) => `key-${i % 2048}`);
  const rows = [];
  for (const [group, n] of [
    ["c1", 1],
    ["c8", 8],
  ]) {
    const h = await host(connectionString, group, { concurrency: n });
    let seen = 0;
    h.registerHandler(async () => {
      await new Promise((r) => setTimeout(r, 20));
      seen++;
    });
    await h.startNonBlocking();
    // Steady rate: from the 10th to the 90th percent of the events (start-up left out).
    await until(() => seen >= count * 0.1);
    const from = seen;
    const ms = await until(() => seen >= count * 0.9);
    const rate = Math.round((seen - from) / (ms / 1000));
    await until(() => seen >= count);
    await h.close();
    rows.push({ concurrency: n, eventsPerSecond: rate });
  }
  console.log(`\nConcurrency: a handler waiting 20 ms (a timer) per event, ${partitions} partitions, ~64 keys each`);
  console.log("| concurrency per partition | steady events/s | × concurrency 1 |\n|---|---|---|");
  for (const r of rows) {
    r.ratio = Number((r.eventsPerSecond / rows[0].eventsPerSecond).toFixed(2));
    console.log(`| ${r.concurrency} | ${r.eventsPerSecond} | ${r.ratio} |`);
  }
  return { events: count, rows };
}

async function memory(cs) {
  const rows = [];
  for (const [hub, group, mib] of [
    ["backlog10", "mem10", 10],
    ["backlog100", "mem100", 100],
  ]) {
    await preload(cs(hub), mib * 1024, 1024);
    global.gc?.();
    const before = process.memoryUsage().rss;
    // Far slower than the producer was: 5 ms per event per partition, 6 400 events/s at most over 32.
    const h = await host(cs(hub), group, { maxInFlightEvents: 2000 });
    let seen = 0;
    h.registerHandler(async () => {
      await new Promise((r) => setTimeout(r, 5));
      seen++;
    });
    await h.startNonBlocking();
    const samples = [];
    for (let s = 0; s < 20; s++) {
      await new Promise((r) => setTimeout(r, 500));
      // With --expose-gc, live memory rather than garbage not yet collected.
      global.gc?.();
      samples.push(process.memoryUsage().rss);
    }
    await h.close();
    const mibOf = (b) => Math.round((b / 1048576) * 10) / 10;
    const firstHalf = Math.max(...samples.slice(0, 10));
    const secondHalf = Math.max(...samples.slice(10));
    rows.push({
      backlogMiB: mib,
      handled: seen,
      rssBeforeMiB: mibOf(before),
      rssMinMiB: mibOf(Math.min(...samples)),
      rssMaxMiB: mibOf(Math.max(...samples)),
      rssMaxFirst5sMiB: mibOf(firstHalf),
      rssMaxLast5sMiB: mibOf(secondHalf),
    });
  }
  console.log(`\nMemory: ${partitions} partitions, a handler taking 5 ms per event, maxInFlightEvents 2000, 10 s`);
  console.log(
    "| backlog | handled in 10 s | RSS before | RSS min | RSS max | max 0-5 s | max 5-10 s |\n|---|---|---|---|---|---|---|",
  );
  for (const r of rows) {
    console.log(
      `| ${r.backlogMiB} MiB | ${r.handled} | ${r.rssBeforeMiB} MiB | ${r.rssMinMiB} MiB | ${r.rssMaxMiB} MiB | ${r.rssMaxFirst5sMiB} MiB | ${r.rssMaxLast5sMiB} MiB |`,
    );
  }
  return { rows };
}

// Last, so every declaration above is initialised before it runs.
if (process.argv.includes("--emulator-child")) {
  const { startEmulator } = await import("../packages/hub-emulator/dist/esm/index.js");
  const emu = await startEmulator({
    hubs: {
      drain: { partitions, consumerGroups: groups },
      keyed: { partitions, consumerGroups: groups },
      backlog10: { partitions, consumerGroups: groups },
      backlog100: { partitions, consumerGroups: groups },
    },
    retention: { maxBytesPerPartition: 256 * 1024 * 1024 },
  });
  const connectionStrings = Object.fromEntries(emu.hubNames.map((h) => [h, emu.connectionString(h)]));
  process.send?.({ connectionStrings });
  process.on("message", async () => {
    await emu.close();
    process.exit(0);
  });
} else {
  await main();
}
