// Entry of a worker process: one eph host, one official processor or one raw client, driven by the
// parent over IPC. A separate process so SIGKILL and SIGSTOP act on it for real.

import { monitorEventLoopDelay } from "node:perf_hooks";
import {
  type CloseReason,
  EventHubConsumerClient,
  earliestEventPosition,
  type PartitionContext,
  type ReceivedEventData,
  type Subscription,
  type SubscriptionEventHandlers,
} from "@azure/event-hubs";
import { DeliveryLogWriter } from "./delivery-log.js";
import { createEphStores } from "./eph-stores.js";
import { RecordingCheckpointer } from "./recording-checkpointer.js";
import {
  type ParentMessage,
  type StartupMarks,
  WORKER_CONFIG_ENV,
  type WorkerConfig,
  type WorkerMessage,
} from "./worker-config.js";

interface Runner {
  start(): Promise<void>;
  close(): Promise<void>;
  reading(): string[];
}

const config = JSON.parse(process.env[WORKER_CONFIG_ENV] ?? "null") as WorkerConfig;
const log = new DeliveryLogWriter(config.logFile);
let events = 0;
let errors = 0;
const errorsByKind: Record<string, number> = {};
let scope: Extract<WorkerMessage, { t: "ready" }>["scope"];
let firstAt = 0;
let at10 = 0;
let at90 = 0;
let cpuMsAt10 = 0;
let cpuMsAt90 = 0;
let doneSent = false;
let cpuAtStart: NodeJS.CpuUsage | undefined;
let eluAtStart: ReturnType<typeof performance.eventLoopUtilization> | undefined;
const lastErrorLogged = new Map<string, number>();
// Each side imports only its own modules (below, when its runner is made), so the spawn-to-first-event
// figure of one side does not include loading the other's.
const marks: { -readonly [K in keyof StartupMarks]: StartupMarks[K] } = {
  processStart: Math.round(performance.timeOrigin),
  loaded: 0,
  created: 0,
  started: undefined,
  opened: undefined,
  acquired: undefined,
};

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

/** Counts (and in `log` mode records) one handled event. */
function handled(partitionId: string, sequenceNumber: number, epoch: number): void {
  events++;
  if (config.record === "log") {
    log.write({ k: "E", p: partitionId, seq: sequenceNumber, epoch, t: Date.now() });
    return;
  }
  if (events === 1) firstAt = Date.now();
  const expected = config.expectedEvents ?? Number.POSITIVE_INFINITY;
  if (at10 === 0 && events >= expected * 0.1) {
    at10 = Date.now();
    cpuMsAt10 = cpuMsSince(cpuAtStart);
  }
  if (at90 === 0 && events >= expected * 0.9) {
    at90 = Date.now();
    cpuMsAt90 = cpuMsSince(cpuAtStart);
  }
  if (!doneSent && config.expectedEvents !== undefined && events >= config.expectedEvents) {
    doneSent = true;
    void send({
      t: "done",
      at: Date.now(),
      count: events,
      firstAt,
      at10,
      at90,
      cpuMs: cpuMsSince(cpuAtStart),
      steadyCpuMs: cpuMsAt90 - cpuMsAt10,
      eventLoopUtilization: performance.eventLoopUtilization(eluAtStart).utilization,
      ...(config.startOnSpawn ? { marks } : {}),
    });
  }
}

function cpuMsSince(start: NodeJS.CpuUsage | undefined): number {
  const cpu = process.cpuUsage(start);
  return (cpu.user + cpu.system) / 1000;
}

/** Starts the OpenTelemetry SDK when the side records (its modules load only then). */
async function otelOf(kind: WorkerConfig["otel"]) {
  if (kind === undefined) return undefined;
  return (await import("./otel-recording.js")).startRecording(kind);
}

function recordError(op: string, partitionId: string | undefined, error: unknown): void {
  errors++;
  const code = (error as { code?: unknown } | null)?.code;
  const kind = `${op}/${typeof code === "string" ? code : error instanceof Error ? error.name : "error"}`;
  errorsByKind[kind] = (errorsByKind[kind] ?? 0) + 1;
  // One line per operation and partition per second is enough to explain what happened.
  const key = `${op}/${partitionId ?? ""}`;
  const now = Date.now();
  if (now - (lastErrorLogged.get(key) ?? 0) < 1000) return;
  lastErrorLogged.set(key, now);
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  log.write({ k: "X", op, p: partitionId ?? "", t: now, message: message.slice(0, 300) });
}

async function ephRunner(): Promise<Runner> {
  if (!config.eph) throw new Error("eph worker without store configuration");
  const [{ EventProcessorHost }, { leaser, checkpointer }, otel] = await Promise.all([
    import("@eph/host"),
    createEphStores(config.eph),
    otelOf(config.otel),
  ]);
  marks.loaded = Date.now();
  const host = await EventProcessorHost.fromConnectionString(
    config.hubConnectionString,
    leaser,
    new RecordingCheckpointer(checkpointer, log),
    {
      hostName: config.name,
      consumerGroup: config.consumerGroup,
      noBanner: true,
      leaseDuration: config.timing.leaseDuration,
      renewalInterval: config.timing.interval,
      scanInterval: config.timing.interval,
      ...(config.timing.operationTimeout === undefined ? {} : { operationTimeout: config.timing.operationTimeout }),
      maxBatchSize: config.maxBatchSize,
      maxWaitTimeInSeconds: config.maxWaitTimeInSeconds,
      initialPosition: "earliest",
      onPartitionOpened: (i) => {
        const t = Date.now();
        marks.opened ??= t;
        log.write({ k: "O", p: i.partitionId, epoch: i.epoch, t });
      },
      onPartitionClosed: (i) =>
        log.write({ k: "C", p: i.partitionId, epoch: i.epoch, reason: i.reason, t: Date.now() }),
      onRebalance: (r) => {
        const t = Date.now();
        if (r.acquired.length > 0) marks.acquired ??= t;
        for (const p of r.acquired) log.write({ k: "A", p, t });
      },
      onError: (i) => recordError(i.operation, i.partitionId, i.error),
      ...otel?.hostOptions,
    },
  );
  if (config.batchHandler) {
    host.registerBatchHandler(
      (events, context) => {
        for (const event of events) handled(context.partitionId, event.sequenceNumber, context.epoch);
        return Promise.resolve();
      },
      { maxBatchSize: config.maxBatchSize, maxWaitTimeInSeconds: config.maxWaitTimeInSeconds },
    );
  } else host.registerHandler((event, context) => handled(context.partitionId, event.sequenceNumber, context.epoch));
  scope = {
    fullyQualifiedNamespace: host.fullyQualifiedNamespace,
    eventHubName: host.eventHubName,
    consumerGroup: host.consumerGroup,
  };
  marks.created = Date.now();
  return {
    start: async () => {
      await host.startNonBlocking();
      marks.started = Date.now();
    },
    async close() {
      await host.close();
      await Promise.allSettled([leaser.close(), checkpointer.close(), otel?.close()]);
    },
    reading: () => host.partitionIdsBeingProcessed(),
  };
}

async function officialRunner(): Promise<Runner> {
  const official = config.official;
  const withStore = config.kind === "official";
  if (withStore && !official) throw new Error("official worker without store configuration");
  const reading = new Set<string>();
  const loadBalancingOptions = {
    strategy: official?.strategy ?? "greedy",
    updateIntervalInMs: config.timing.interval,
    partitionOwnershipExpirationIntervalInMs: config.timing.leaseDuration,
  };
  const store = withStore
    ? await Promise.all([import("@azure/eventhubs-checkpointstore-blob"), import("@azure/storage-blob")])
    : undefined;
  marks.loaded = Date.now();
  const client =
    official && store
      ? new EventHubConsumerClient(
          config.consumerGroup,
          config.hubConnectionString,
          new store[0].BlobCheckpointStore(new store[1].ContainerClient(official.connectionString, official.container)),
          { identifier: config.name, loadBalancingOptions },
        )
      : new EventHubConsumerClient(config.consumerGroup, config.hubConnectionString, {
          identifier: config.name,
          loadBalancingOptions,
        });
  const subscriptions: Subscription[] = [];
  const handlers: SubscriptionEventHandlers = {
    processInitialize: async (context: PartitionContext) => {
      reading.add(context.partitionId);
      const t = Date.now();
      marks.opened ??= t;
      log.write({ k: "O", p: context.partitionId, epoch: 0, t });
    },
    processClose: async (reason: CloseReason, context: PartitionContext) => {
      reading.delete(context.partitionId);
      log.write({ k: "C", p: context.partitionId, epoch: 0, reason, t: Date.now() });
    },
    processEvents: async (batch: ReceivedEventData[], context: PartitionContext) => {
      for (const event of batch) handled(context.partitionId, event.sequenceNumber, 0);
      const last = batch[batch.length - 1];
      if (!withStore || !last) return;
      // The documented pattern: checkpoint after every batch.
      const t0 = Date.now();
      let result = "ok";
      try {
        await context.updateCheckpoint(last);
      } catch (error) {
        result = String((error as { code?: unknown } | null)?.code ?? "error");
        recordError("checkpoint", context.partitionId, error);
      }
      log.write({ k: "K", p: context.partitionId, seq: last.sequenceNumber, epoch: 0, t0, t: Date.now(), result });
    },
    processError: async (error: Error, context: PartitionContext) => {
      recordError("receive", context.partitionId === "" ? undefined : context.partitionId, error);
    },
  };
  marks.created = Date.now();
  return {
    async start() {
      const options = {
        startPosition: earliestEventPosition,
        maxBatchSize: config.maxBatchSize,
        maxWaitTimeInSeconds: config.maxWaitTimeInSeconds,
      };
      if (config.kind !== "raw-eph-receivers") {
        subscriptions.push(client.subscribe(handlers, options));
        return;
      }
      // What an eph host's partition workers pass to the same client (see @eph/host's partition-worker).
      for (const partitionId of await client.getPartitionIds()) {
        subscriptions.push(
          client.subscribe(partitionId, handlers, {
            ...options,
            ownerLevel: 1,
            prefetchCount: Math.max(300, config.maxBatchSize),
          }),
        );
      }
    },
    async close() {
      await Promise.allSettled(subscriptions.map((s) => s.close()));
      await client.close();
    },
    reading: () => [...reading],
  };
}

/** Starts the runner and counts CPU and event-loop use from now. */
function begin(runner: Runner): void {
  cpuAtStart = process.cpuUsage();
  eluAtStart = performance.eventLoopUtilization();
  const at = Date.now();
  log.write({ k: "S", t: at });
  void send({ t: "started", at });
  runner.start().catch((error: unknown) => fail(error));
}

async function main(): Promise<void> {
  // With startOnSpawn the parent only needs to know the process is alive; it waits for "done".
  if (config.startOnSpawn) await send({ t: "ready", at: Date.now() });
  const runner = config.kind === "eph" ? await ephRunner() : await officialRunner();
  if (config.startOnSpawn) begin(runner);
  let closeRequested = false;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const health = setInterval(() => {
    const loopDelayMaxMs = loopDelay.max / 1e6;
    loopDelay.reset();
    // A full collection before sampling makes heap figures comparable over time (the soak's "memory
    // flat" check); throughput runs ("count") skip it, as it would cost the heavier processes more.
    if (config.record !== "count") (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    void send({
      t: "health",
      at: Date.now(),
      rss: m.rss,
      heapUsed: m.heapUsed,
      reading: runner.reading(),
      errors,
      events,
      loopDelayMaxMs,
      cpuMs: cpuAtStart ? cpuMsSince(cpuAtStart) : 0,
      errorsByKind: { ...errorsByKind },
    });
  }, config.healthEveryMs);
  process.on("message", (message: ParentMessage) => {
    if (message.t === "go") {
      if (!config.startOnSpawn) begin(runner);
    } else if (message.t === "close") {
      if (closeRequested) return;
      closeRequested = true;
      (async () => {
        clearInterval(health);
        await runner.close();
        log.close();
        await send({ t: "closed", at: Date.now(), errorsByKind: { ...errorsByKind } });
        process.exit(0);
      })().catch((error: unknown) => fail(error));
    }
  });
  // An orphaned worker (the parent died) must not linger.
  process.on("disconnect", () => process.exit(0));
  if (!config.startOnSpawn) await send({ t: "ready", at: Date.now(), ...(scope ? { scope } : {}) });
}

function fail(error: unknown): void {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  void send({ t: "failed", message }).finally(() => process.exit(1));
}

main().catch(fail);
