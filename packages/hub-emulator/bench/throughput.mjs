// Throughput of the emulator with the real @azure/event-hubs client over loopback.
//
//   cd packages/hub-emulator && npx tsc -b . && node bench/throughput.mjs [--events 200000] [--size 1024]
//
// The emulator runs as its own process (the eph-hub-emulator command), as it does for users, so the client
// and the emulator each get a core. Phase 1 sends N events of SIZE bytes in batches of 100 to 4 partitions
// (one sendBatch in flight per partition); phase 2 has one EventHubConsumerClient read them all back from
// the start of every partition. Prints the figures, then one JSON line.
import { fork } from "node:child_process";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { EventHubConsumerClient, EventHubProducerClient, earliestEventPosition } from "@azure/event-hubs";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "200000" },
    size: { type: "string", default: "1024" },
    batch: { type: "string", default: "100" },
    "max-batch-size": { type: "string", default: "1000" },
    prefetch: { type: "string", default: "3000" },
  },
});
const total = Number(values.events);
const size = Number(values.size);
const batchSize = Number(values.batch);
const partitions = 4;
const maxBatchSize = Number(values["max-batch-size"]);
const prefetchCount = Number(values.prefetch);

const emulator = fork(
  join(dirname(fileURLToPath(import.meta.url)), "emulator-process.mjs"),
  [
    JSON.stringify({
      hubs: { bench: partitions },
      retention: { maxEventsPerPartition: total, maxBytesPerPartition: 4 * 1024 ** 3 },
    }),
  ],
  { execArgv: process.env.EMULATOR_NODE_OPTIONS?.split(" ").filter(Boolean) ?? [] },
);
const replies = [];
let waiting;
emulator.on("message", (m) => {
  replies.push(m);
  waiting?.();
});
async function reply() {
  while (replies.length === 0)
    await new Promise((resolve) => {
      waiting = resolve;
    });
  return replies.shift();
}
const { connectionStrings } = await reply();
const connectionString = connectionStrings.bench;
async function emulatorCpu() {
  emulator.send("cpu");
  return (await reply()).cpuMicros;
}
function clientCpu() {
  const u = process.cpuUsage();
  return u.user + u.system;
}

const body = Buffer.alloc(size, 0x61);
const producer = new EventHubProducerClient(connectionString);
await producer.getPartitionIds();

// Phase 1: send.
const perPartition = Math.ceil(total / batchSize / partitions);
const sendStart = process.hrtime.bigint();
const sendCpu = [await emulatorCpu(), clientCpu()];
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
const sendSeconds = Number(process.hrtime.bigint() - sendStart) / 1e9;
const sendCpuUsed = [(await emulatorCpu()) - sendCpu[0], clientCpu() - sendCpu[1]];
const sent = perPartition * batchSize * partitions;
await producer.close();

// Phase 2: receive everything with one consumer client.
if (process.env.PROFILE_RECEIVE) {
  const { Session } = await import("node:inspector/promises");
  globalThis.profiler = new Session();
  globalThis.profiler.connect();
  await globalThis.profiler.post("Profiler.enable");
  await globalThis.profiler.post("Profiler.start");
}
const consumer = new EventHubConsumerClient("$Default", connectionString);
let received = 0;
const receiveStart = process.hrtime.bigint();
const receiveCpu = [await emulatorCpu(), clientCpu()];
await new Promise((resolve, reject) => {
  const subscription = consumer.subscribe(
    {
      processEvents: async (events) => {
        received += events.length;
        if (received >= sent) subscription.close().then(resolve, reject);
      },
      processError: async (error) => reject(error),
    },
    {
      startPosition: earliestEventPosition,
      maxBatchSize,
      prefetchCount,
      maxWaitTimeInSeconds: 1,
      skipParsingBodyAsJson: true,
    },
  );
});
const receiveSeconds = Number(process.hrtime.bigint() - receiveStart) / 1e9;
const receiveCpuUsed = [(await emulatorCpu()) - receiveCpu[0], clientCpu() - receiveCpu[1]];
await consumer.close();
emulator.send("close");
if (globalThis.profiler) {
  const { profile } = await globalThis.profiler.post("Profiler.stop");
  (await import("node:fs")).writeFileSync(process.env.PROFILE_RECEIVE, JSON.stringify(profile));
}

const result = {
  bench: "hub-emulator-throughput",
  date: new Date().toISOString().slice(0, 10),
  node: process.version,
  cpus: os.cpus().length,
  events: sent,
  eventBytes: size,
  batchSize,
  partitions,
  consumer: { maxBatchSize, prefetchCount },
  sendEventsPerSecond: Math.round(sent / sendSeconds),
  receiveEventsPerSecond: Math.round(received / receiveSeconds),
  sendSeconds: Number(sendSeconds.toFixed(2)),
  receiveSeconds: Number(receiveSeconds.toFixed(2)),
  // CPU time per event: independent of whatever else the machine runs.
  emulatorCpuMicrosPerEvent: {
    send: Number((sendCpuUsed[0] / sent).toFixed(1)),
    receive: Number((receiveCpuUsed[0] / received).toFixed(1)),
  },
  clientCpuMicrosPerEvent: {
    send: Number((sendCpuUsed[1] / sent).toFixed(1)),
    receive: Number((receiveCpuUsed[1] / received).toFixed(1)),
  },
  loadAverage: os.loadavg()[0],
};
console.log(`sent     ${sent} events of ${size} B in batches of ${batchSize} to ${partitions} partitions`);
console.log(`  send:    ${result.sendEventsPerSecond} events/s (${result.sendSeconds} s)`);
console.log(`  receive: ${result.receiveEventsPerSecond} events/s (${result.receiveSeconds} s, one consumer client)`);
console.log(
  `  CPU per event, emulator: send ${result.emulatorCpuMicrosPerEvent.send} us, receive ${result.emulatorCpuMicrosPerEvent.receive} us` +
    ` -> emulator-bound ceilings ${Math.round(1e6 / result.emulatorCpuMicrosPerEvent.send)} / ${Math.round(1e6 / result.emulatorCpuMicrosPerEvent.receive)} events/s per core`,
);
console.log(
  `  CPU per event, client:   send ${result.clientCpuMicrosPerEvent.send} us, receive ${result.clientCpuMicrosPerEvent.receive} us (load average ${result.loadAverage.toFixed(1)})`,
);
console.log(JSON.stringify(result));
