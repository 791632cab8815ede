// Throughput of EventProcessorHost against the raw client, and memory under a backlog.
//
//   cd /work/main && npx tsc -b packages/host packages/leaser-blob packages/checkpointer-blob packages/hub-emulator packages/testing
//   cd packages/host && node bench/throughput.mjs [--partitions 32] [--per-partition 2000] [--rounds 2]
//                                                [--backlog-per-partition 3000] [--rss-only]
//
// The emulator and Azurite run in this process; every consumer runs in its own process (bench/consumer.mjs).
// Scenarios, on the same preloaded hub, read from the start:
//   raw x1   EventHubConsumerClient.subscribe over every partition, no checkpoints
//   host x1  one EventProcessorHost, leases and checkpoints in Blob storage (default checkpoint policy)
//   raw x3   three processes, each subscribing to a fixed third of the partitions, no checkpoints
//   host x3 balanced  three EventProcessorHost processes, started and balanced before the clock starts
//   host x3 cold      three EventProcessorHost processes started together when the clock starts (the
//                     initial balancing, and the handoff wait of every partition it moves, included)
// Time runs from "go" until every partition's last event was handled (by any process); CPU is what the
// consumer processes used meanwhile (robust when the machine is busy). Then:
//   rss      one host owning every partition of a backlog of 1 KiB events whose handlers stall: the
//            receivers fill their prefetch (300 + a batch of 100 per partition) and must stop there. Peak
//            RSS of the host process over 20 s, against the same process idle before start.
// Prints a table, then one JSON line.
import { fork } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { EventHubProducerClient } from "@azure/event-hubs";
import { startEmulator } from "@eph/hub-emulator";
import { startAzurite } from "@eph/testing";

const { values } = parseArgs({
  options: {
    partitions: { type: "string", default: "32" },
    "per-partition": { type: "string", default: "2000" },
    rounds: { type: "string", default: "2" },
    "backlog-per-partition": { type: "string", default: "3000" },
    "rss-only": { type: "boolean", default: false },
  },
});
const partitions = Number(values.partitions);
const perPartition = Number(values["per-partition"]);
const rounds = Number(values.rounds);
const backlogPerPartition = Number(values["backlog-per-partition"]);
const consumer = fileURLToPath(new URL("./consumer.mjs", import.meta.url));
const ids = Array.from({ length: partitions }, (_, i) => String(i));

const emulator = await startEmulator({
  hubs: { load: partitions, backlog: partitions },
  retention: { maxEventsPerPartition: 1_000_000, maxBytesPerPartition: 1024 ** 3 },
});
const azurite = await startAzurite();

async function fill(hub, count, size) {
  const producer = new EventHubProducerClient(emulator.connectionString(hub));
  const body = Buffer.alloc(size, 0x61);
  await Promise.all(
    ids.map(async (partitionId) => {
      let left = count;
      while (left > 0) {
        const batch = await producer.createBatch({ partitionId });
        while (left > 0 && batch.tryAdd({ body })) left--;
        await producer.sendBatch(batch);
      }
    }),
  );
  await producer.close();
}

function start(config) {
  const child = fork(consumer, [JSON.stringify(config)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const state = { child, highest: {}, handled: 0, peakRss: 0, readyRss: 0 };
  state.ready = new Promise((resolve) => {
    child.on("message", (m) => {
      if (m.t === "ready") {
        state.readyRss = m.rss;
        resolve();
      } else if (m.t === "progress") {
        state.highest = m.highest;
        state.handled = m.handled;
        state.peakRss = m.peakRss;
        state.cpuMicros = m.cpuMicros;
        state.leasesHeld = m.leasesHeld;
        state.inHandoff = m.inHandoff;
      }
    });
  });
  state.stop = () =>
    new Promise((resolve) => {
      child.once("exit", resolve);
      child.send("stop");
    });
  return state;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(name, configs, lastSeq) {
  const children = configs.map(start);
  await Promise.all(children.map((c) => c.ready));
  if (configs.some((c) => c.warm)) {
    // Balanced: every partition leased, each host within one of its fair share, no handoff pending.
    const share = partitions / configs.length;
    for (;;) {
      const held = children.map((c) => c.leasesHeld ?? 0);
      const settled = children.every((c) => c.inHandoff === 0);
      if (settled && held.reduce((a, b) => a + b, 0) === partitions && held.every((n) => Math.abs(n - share) < 1)) {
        break;
      }
      await sleep(100);
    }
  }
  const began = performance.now();
  for (const c of children) c.child.send("go");
  for (;;) {
    const done = ids.every((p) => children.some((c) => (c.highest[p] ?? -1) >= lastSeq));
    if (done) break;
    if (performance.now() - began > 300_000) throw new Error(`${name}: no completion after 300 s`);
    await sleep(50);
  }
  const ms = performance.now() - began;
  const deliveries = children.reduce((sum, c) => sum + c.handled, 0);
  // CPU the consumer processes spent (their last report, at most 200 ms old): robust on a busy machine.
  await sleep(250);
  const cpu = children.reduce((sum, c) => sum + (c.cpuMicros ?? 0), 0);
  await Promise.all(children.map((c) => c.stop()));
  const events = partitions * (lastSeq + 1);
  return { name, ms, eventsPerSecond: events / (ms / 1000), deliveries, cpuMicrosPerEvent: cpu / events };
}

const rssOnly = values["rss-only"];
if (!rssOnly) await fill("load", perPartition, 256);
const eventHubConnection = emulator.connectionString("load");
const results = { raw: [], host1: [], raw3: [], host3: [], host3warm: [] };
for (let round = 0; round < (rssOnly ? 0 : rounds); round++) {
  results.raw.push(await run("raw", [{ mode: "raw", eventHubConnection }], perPartition - 1));
  results.host1.push(
    await run(
      "host x1",
      [
        {
          mode: "host",
          eventHubConnection,
          storageConnection: azurite.connectionString,
          container: `one-${round}`,
          hostName: "h1",
        },
      ],
      perPartition - 1,
    ),
  );
  results.raw3.push(
    await run(
      "raw x3",
      [0, 1, 2].map((k) => ({ mode: "raw", eventHubConnection, partitionIds: ids.filter((_, i) => i % 3 === k) })),
      perPartition - 1,
    ),
  );
  results.host3warm.push(
    await run(
      "host x3 balanced",
      ["a", "b", "c"].map((hostName) => ({
        mode: "host",
        eventHubConnection,
        storageConnection: azurite.connectionString,
        container: `warm-${round}`,
        hostName,
        warm: true,
      })),
      perPartition - 1,
    ),
  );
  results.host3.push(
    await run(
      "host x3",
      ["a", "b", "c"].map((hostName) => ({
        mode: "host",
        eventHubConnection,
        storageConnection: azurite.connectionString,
        container: `three-${round}`,
        hostName,
      })),
      perPartition - 1,
    ),
  );
}

// Memory under a backlog: a slow handler, so the receivers fill their prefetch and stop there.
await fill("backlog", backlogPerPartition, 1024);
const rssHost = start({
  mode: "host",
  eventHubConnection: emulator.connectionString("backlog"),
  storageConnection: azurite.connectionString,
  container: "rss",
  hostName: "rss",
  handlerStalls: true,
  drainTimeout: 100,
});
await rssHost.ready;
rssHost.child.send("go");
await sleep(20_000);
const rss = { idleMb: rssHost.readyRss / 2 ** 20, peakMb: rssHost.peakRss / 2 ** 20, handled: rssHost.handled };
await rssHost.stop();

await Promise.all([emulator.close(), azurite.close()]);

const best = (list) =>
  list.length === 0
    ? { eventsPerSecond: Number.NaN, deliveries: 0, cpuMicrosPerEvent: Number.NaN }
    : {
        ...list.reduce((a, b) => (b.eventsPerSecond > a.eventsPerSecond ? b : a)),
        cpuMicrosPerEvent: Math.min(...list.map((r) => r.cpuMicrosPerEvent)),
      };
const raw = best(results.raw);
const one = best(results.host1);
const raw3 = best(results.raw3);
const warm = best(results.host3warm);
const cold = best(results.host3);
const total = partitions * perPartition;
const fmt = (n) => Math.round(n).toLocaleString("en-US");
const ratio = (a, b) => (a.eventsPerSecond / b.eventsPerSecond).toFixed(2);
const line = (label, r, extra = "") =>
  console.log(
    `  ${label.padEnd(36)} ${fmt(r.eventsPerSecond).padStart(7)} events/s  ${r.cpuMicrosPerEvent.toFixed(0).padStart(4)} µs CPU/event${extra}`,
  );
console.log(
  `${partitions} partitions x ${perPartition} events of 256 B, best of ${rounds} rounds (load average ${os.loadavg()[0].toFixed(1)})`,
);
line("raw subscribe, 1 process", raw);
line("1 host, blob checkpoints", one, `  ratio ${ratio(one, raw)}`);
line("raw subscribe, 3 processes (thirds)", raw3);
line("3 hosts, balanced", warm, `  ratio ${ratio(warm, raw3)}  (${warm.deliveries} deliveries / ${total})`);
line("3 hosts, cold start", cold, `  ratio ${ratio(cold, raw3)}  (${cold.deliveries} deliveries / ${total})`);
console.log(
  `  RSS of one host owning ${partitions} partitions, backlog ${backlogPerPartition} x 1 KiB each, handlers stalled: idle ${rss.idleMb.toFixed(0)} MiB, peak ${rss.peakMb.toFixed(0)} MiB over 20 s`,
);
const round2 = (n) => Number(n.toFixed(2));
console.log(
  JSON.stringify({
    bench: "host-throughput",
    partitions,
    perPartition,
    rounds,
    loadAverage: round2(os.loadavg()[0]),
    eventsPerSecond: {
      raw: Math.round(raw.eventsPerSecond),
      host1: Math.round(one.eventsPerSecond),
      raw3: Math.round(raw3.eventsPerSecond),
      host3Balanced: Math.round(warm.eventsPerSecond),
      host3Cold: Math.round(cold.eventsPerSecond),
    },
    ratios: {
      host1ToRaw: round2(one.eventsPerSecond / raw.eventsPerSecond),
      host3BalancedToRaw3: round2(warm.eventsPerSecond / raw3.eventsPerSecond),
      host3ColdToRaw3: round2(cold.eventsPerSecond / raw3.eventsPerSecond),
    },
    cpuMicrosPerEvent: {
      raw: round2(raw.cpuMicrosPerEvent),
      host1: round2(one.cpuMicrosPerEvent),
      raw3: round2(raw3.cpuMicrosPerEvent),
      host3Balanced: round2(warm.cpuMicrosPerEvent),
      host3Cold: round2(cold.cpuMicrosPerEvent),
    },
    deliveries: { host3Balanced: warm.deliveries, host3Cold: cold.deliveries, events: total },
    rss: { backlogPerPartition, idleMb: round2(rss.idleMb), peakMb: round2(rss.peakMb) },
  }),
);
process.exit(0);
