// Memory the emulator needs per retained event, filled through the real @azure/event-hubs producer.
//
//   cd packages/hub-emulator && npx tsc -b . && node --expose-gc bench/memory.mjs [--events 200000] [--size 1024]
//
// The emulator runs in this process; memory is read (after full GCs) before the fill and after the producer
// has closed, so what remains is what the emulator retains. Prints the figures, then one JSON line with the
// cost per event and per million events.
import os from "node:os";
import { parseArgs } from "node:util";
import { EventHubProducerClient } from "@azure/event-hubs";
import { startEmulator } from "../dist/esm/index.js";

if (typeof globalThis.gc !== "function") {
  console.error("run with node --expose-gc");
  process.exit(2);
}
const { values } = parseArgs({
  options: { events: { type: "string", default: "200000" }, size: { type: "string", default: "1024" } },
});
const total = Number(values.events);
const size = Number(values.size);
const partitions = 4;
const batchSize = 100;

async function settledMemory() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

const emulator = await startEmulator({
  hubs: { mem: partitions },
  retention: { maxEventsPerPartition: total, maxBytesPerPartition: 16 * 1024 ** 3 },
});
const before = await settledMemory();
const producer = new EventHubProducerClient(emulator.connectionString("mem"));
const body = Buffer.alloc(size, 0x61);
const perPartition = Math.ceil(total / batchSize / partitions);
await Promise.all(
  Array.from({ length: partitions }, async (_, p) => {
    for (let b = 0; b < perPartition; b++) {
      await producer.sendBatch(
        Array.from({ length: batchSize }, () => ({ body })),
        { partitionId: String(p) },
      );
    }
  }),
);
await producer.close();
const after = await settledMemory();

let retained = 0;
let storedBytes = 0;
for (let p = 0; p < partitions; p++) {
  const stats = emulator.partitionStats("mem", String(p));
  retained += stats.retainedEvents;
  storedBytes += stats.retainedBytes;
}
await emulator.close();

const heapAndBuffers = after.heapUsed + after.external - (before.heapUsed + before.external);
const perEvent = heapAndBuffers / retained;
const result = {
  bench: "hub-emulator-memory",
  date: new Date().toISOString().slice(0, 10),
  node: process.version,
  cpus: os.cpus().length,
  events: retained,
  eventBodyBytes: size,
  storedBytesPerEvent: Number((storedBytes / retained).toFixed(1)),
  memoryBytesPerEvent: Math.round(perEvent),
  overheadBytesPerEvent: Math.round(perEvent - storedBytes / retained),
  megabytesPerMillionEvents: Math.round((perEvent * 1e6) / 1024 ** 2),
  rssGrowthMegabytes: Math.round((after.rss - before.rss) / 1024 ** 2),
};
console.log(`retained ${retained} events with ${size}-byte bodies (${result.storedBytesPerEvent} bytes stored each)`);
console.log(
  `  heap + buffers: ${result.memoryBytesPerEvent} bytes per event (${result.overheadBytesPerEvent} beyond the stored bytes)`,
);
console.log(
  `  => ${result.megabytesPerMillionEvents} MiB per million retained events; RSS grew ${result.rssGrowthMegabytes} MiB`,
);
console.log(JSON.stringify(result));
