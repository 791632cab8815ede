// One consumer process of the host benchmark: the raw EventHubConsumerClient or an EventProcessorHost on
// blob stores. Talks to bench/throughput.mjs over IPC: it says "ready", reads once told "go", and reports
// its progress (highest sequence number handled per partition, events handled, leases, RSS, CPU) every
// 200 ms. A "warm" host starts before "go" and balances with its peers, but every partition's initial
// position waits for "go": the run then measures balanced hosts, not the balancing.
import { EventHubConsumerClient, earliestEventPosition } from "@azure/event-hubs";
import { BlobCheckpointer } from "@eph/checkpointer-blob";
import { BlobLeaser } from "@eph/leaser-blob";
import { EventProcessorHost } from "../dist/esm/index.js";

const config = JSON.parse(process.argv[2]);
const highest = {};
let handled = 0;
let peakRss = 0;
let cpuAtGo = 0;
let leasesHeld = 0;
let host;
const cpuMicros = () => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};
const note = (partitionId, sequenceNumber) => {
  handled++;
  if ((highest[partitionId] ?? -1) < sequenceNumber) highest[partitionId] = sequenceNumber;
};
const report = () => {
  const rss = process.memoryUsage().rss;
  peakRss = Math.max(peakRss, rss);
  const health = host?.health();
  leasesHeld = health?.leasesHeld ?? 0;
  const inHandoff = health?.partitions.filter((p) => p.state === "handoff").length ?? 0;
  process.send?.({
    t: "progress",
    highest,
    handled,
    rss,
    peakRss,
    leasesHeld,
    inHandoff,
    cpuMicros: cpuMicros() - cpuAtGo,
  });
};
let go;
const goSignal = new Promise((resolve) => {
  go = resolve;
});
process.on("message", async (message) => {
  if (message === "go") {
    cpuAtGo = cpuMicros();
    go();
  } else if (message === "stop") {
    clearInterval(timer);
    report();
    await stop();
    process.send({ t: "stopped" });
    process.exit(0);
  }
});
const timer = setInterval(report, 200);

let stop;
if (config.mode === "raw") {
  const client = new EventHubConsumerClient("$Default", config.eventHubConnection);
  process.send({ t: "ready", rss: process.memoryUsage().rss });
  await goSignal;
  const handlers = {
    processEvents: async (events, context) => {
      for (const event of events) note(context.partitionId, event.sequenceNumber);
    },
    processError: async () => undefined,
  };
  const options = { startPosition: earliestEventPosition, maxBatchSize: 100 };
  // Every partition through one subscription, or (several raw processes) a fixed share each.
  const subscriptions = config.partitionIds
    ? config.partitionIds.map((id) => client.subscribe(id, handlers, options))
    : [client.subscribe(handlers, options)];
  stop = async () => {
    await Promise.all(subscriptions.map((s) => s.close()));
    await client.close();
  };
} else {
  host = await EventProcessorHost.fromConnectionString(
    config.eventHubConnection,
    BlobLeaser.fromConnectionString(config.storageConnection, config.container),
    BlobCheckpointer.fromConnectionString(config.storageConnection, config.container),
    {
      hostName: config.hostName,
      noBanner: true,
      leaseDuration: 10_000,
      renewalInterval: 2000,
      scanInterval: 1000,
      operationTimeout: 1000,
      ...(config.warm ? { initialPosition: async () => goSignal.then(() => "earliest") } : {}),
      ...(config.drainTimeout ? { drainTimeout: config.drainTimeout } : {}),
    },
  );
  host.registerHandler(async (event, context) => {
    // A stalled handler: the receivers fill their prefetch and must stop there.
    if (config.handlerStalls) await new Promise(() => undefined);
    note(context.partitionId, event.sequenceNumber);
  });
  stop = () => host.close();
  if (config.warm) await host.startNonBlocking();
  process.send({ t: "ready", rss: process.memoryUsage().rss });
  await goSignal;
  if (!config.warm) await host.startNonBlocking();
}
