import { EventHubProducerClient, type ReceivedEventData } from "@azure/event-hubs";
import { MemoryCheckpointer, MemoryCheckpointStore } from "@eph/checkpointer-memory";
import type { Checkpointer, Leaser } from "@eph/core";
import { type Emulator, startEmulator } from "@eph/hub-emulator";
import { MemoryLeaser, MemoryLeaseStore } from "@eph/leaser-memory";
import {
  EventProcessorHost,
  type EventProcessorHostOptions,
  type EventProcessorHost as Host,
  type HostErrorInfo,
  type PartitionClosedInfo,
} from "../src/index.js";

/** Short lease timing so rebalancing happens within a few seconds. */
export const fastTiming = {
  leaseDuration: 3000,
  renewalInterval: 1000,
  scanInterval: 1000,
  operationTimeout: 500,
} as const;

/** Polls `predicate` every 20 ms until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Sends `count` events with bodies `${prefix}-${i}` to one partition, in batches. */
export async function send(
  emu: Emulator,
  hub: string,
  partitionId: string,
  count: number,
  prefix = `p${partitionId}`,
): Promise<string[]> {
  const producer = new EventHubProducerClient(emu.connectionString(hub));
  const bodies: string[] = [];
  try {
    let batch = await producer.createBatch({ partitionId });
    for (let i = 0; i < count; i++) {
      const body = `${prefix}-${i}`;
      bodies.push(body);
      if (!batch.tryAdd({ body })) {
        await producer.sendBatch(batch);
        batch = await producer.createBatch({ partitionId });
        batch.tryAdd({ body });
      }
    }
    if (batch.count > 0) await producer.sendBatch(batch);
  } finally {
    await producer.close();
  }
  return bodies;
}

/** Sends `perPartition` events to every partition id given. */
export async function sendToAll(emu: Emulator, hub: string, ids: readonly string[], perPartition: number, tag = "") {
  const all: string[] = [];
  for (const id of ids) all.push(...(await send(emu, hub, id, perPartition, `${tag}p${id}`)));
  return all;
}

/** Shared memory stores: what one storage account is to hosts in different processes. */
export function memoryStores() {
  const leases = new MemoryLeaseStore();
  const checkpoints = new MemoryCheckpointStore();
  return {
    leases,
    checkpoints,
    leaser: (): Leaser => new MemoryLeaser({ store: leases }),
    checkpointer: (): Checkpointer => new MemoryCheckpointer({ store: checkpoints }),
  };
}

/** One delivered event, as a recorder saw it. */
export interface Delivery {
  readonly host: string;
  readonly partitionId: string;
  readonly sequenceNumber: number;
  readonly body: string;
}

/** Collects every event handled by any host, and every error and close. */
export class Recorder {
  readonly deliveries: Delivery[] = [];
  private readonly bodies = new Set<string>();
  readonly errors: HostErrorInfo[] = [];
  readonly closes: (PartitionClosedInfo & { host: string })[] = [];

  handler(host: () => string) {
    return async (event: ReceivedEventData, context: { partitionId: string }) => {
      const body = String(event.body);
      this.deliveries.push({
        host: host(),
        partitionId: context.partitionId,
        sequenceNumber: event.sequenceNumber,
        body,
      });
      this.bodies.add(body);
    };
  }

  /** Distinct bodies delivered (a live view: do not modify). */
  distinct(): ReadonlySet<string> {
    return this.bodies;
  }

  /** Bodies delivered more than once. */
  duplicates(): string[] {
    const seen = new Set<string>();
    const dup: string[] = [];
    for (const d of this.deliveries) {
      if (seen.has(d.body)) dup.push(d.body);
      seen.add(d.body);
    }
    return dup;
  }
}

/** Creates a host on the emulator with memory stores, short timing and no banner, recording into `rec`. */
export async function memoryHost(
  emu: Emulator,
  hub: string,
  stores: ReturnType<typeof memoryStores>,
  rec: Recorder,
  options: EventProcessorHostOptions = {},
): Promise<Host> {
  const host = await EventProcessorHost.fromConnectionString(
    emu.connectionString(hub),
    stores.leaser(),
    stores.checkpointer(),
    {
      noBanner: true,
      ...fastTiming,
      maxWaitTimeInSeconds: 1,
      drainTimeout: 5000,
      reconnectDelay: 50,
      maxReconnectDelay: 500,
      onError: (info) => rec.errors.push(info),
      onPartitionClosed: (info) => rec.closes.push({ ...info, host: host.getName() }),
      ...options,
    },
  );
  host.registerHandler(rec.handler(() => host.getName()));
  return host;
}

export { type Emulator, startEmulator };

/** Sends small batches round-robin to `ids` until stopped; `stop()` resolves with every body sent. */
export function keepSending(emu: Emulator, hub: string, ids: readonly string[], perBatch = 5) {
  const producer = new EventHubProducerClient(emu.connectionString(hub));
  const bodies: string[] = [];
  let running = true;
  let n = 0;
  const loop = (async () => {
    while (running) {
      for (const partitionId of ids) {
        const batch = await producer.createBatch({ partitionId });
        const sent: string[] = [];
        for (let i = 0; i < perBatch; i++) {
          const body = `live-p${partitionId}-${n++}`;
          batch.tryAdd({ body });
          sent.push(body);
        }
        await producer.sendBatch(batch);
        bodies.push(...sent);
      }
      // Pace the producer: a steady trickle rather than one burst.
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    get sent(): number {
      return bodies.length;
    },
    async stop(): Promise<string[]> {
      running = false;
      await loop;
      await producer.close();
      return bodies;
    },
  };
}

/** A received event without a service behind it, for unit tests of the dispatch path. */
export function event(sequenceNumber: number): ReceivedEventData {
  return {
    body: `e${sequenceNumber}`,
    sequenceNumber,
    offset: String(sequenceNumber),
    enqueuedTimeUtc: new Date(0),
    partitionKey: null,
    getRawAmqpMessage: () => ({ body: undefined }) as never,
  };
}
