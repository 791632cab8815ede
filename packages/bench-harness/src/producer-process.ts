// Child process sending events: a backlog up front (throughput) or a steady stream (membership, soak).
import { EventHubProducerClient } from "@azure/event-hubs";
import { serveRpc } from "./child-rpc.js";

interface ProducerConfig {
  readonly connectionStrings: Record<string, string>;
}

interface StreamState {
  running: boolean;
  loop: Promise<void>;
  acked: number[];
  failures: number;
}

const TICK_MS = 100;

await serveRpc<ProducerConfig>(async (config) => {
  const producers = new Map<string, EventHubProducerClient>();
  const producer = (hub: string) => {
    let p = producers.get(hub);
    if (!p) {
      const cs = config.connectionStrings[hub];
      if (!cs) throw new Error(`no connection string for hub ${hub}`);
      p = new EventHubProducerClient(cs, { retryOptions: { maxRetries: 5, retryDelayInMs: 100 } });
      producers.set(hub, p);
    }
    return p;
  };
  const streams = new Map<string, StreamState>();
  let counter = 0;

  /** Sends `perPartition` events to each partition, filling batches to the size limit. */
  async function preload(a: { hub: string; partitions: number; perPartition: number; bodyBytes: number }) {
    const client = producer(a.hub);
    const pad = "x".repeat(Math.max(0, a.bodyBytes - 12));
    await Promise.all(
      Array.from({ length: a.partitions }, async (_, i) => {
        const partitionId = String(i);
        let sent = 0;
        while (sent < a.perPartition) {
          const batch = await client.createBatch({ partitionId });
          while (sent < a.perPartition && batch.tryAdd({ body: `${counter++}${pad}` })) sent++;
          await client.sendBatch(batch);
        }
      }),
    );
  }

  /** Sends `ratePerSecond` events spread round-robin over the partitions until stopped. */
  function startStream(a: { hub: string; partitions: number; ratePerSecond: number }) {
    const client = producer(a.hub);
    const state: StreamState = {
      running: true,
      loop: Promise.resolve(),
      acked: new Array<number>(a.partitions).fill(0),
      failures: 0,
    };
    let budget = 0;
    let next = 0;
    state.loop = (async () => {
      let tickAt = Date.now();
      while (state.running) {
        budget += (a.ratePerSecond * TICK_MS) / 1000;
        const perPartition = new Map<number, number>();
        while (budget >= 1) {
          perPartition.set(next, (perPartition.get(next) ?? 0) + 1);
          next = (next + 1) % a.partitions;
          budget -= 1;
        }
        await Promise.all(
          [...perPartition].map(async ([p, n]) => {
            try {
              await client.sendBatch(
                Array.from({ length: n }, () => ({ body: `${counter++}` })),
                { partitionId: String(p) },
              );
              state.acked[p]! += n;
            } catch {
              state.failures++;
            }
          }),
        );
        tickAt += TICK_MS;
        const wait = tickAt - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        else tickAt = Date.now();
      }
    })();
    streams.set(a.hub, state);
  }

  return {
    info: {},
    handlers: {
      preload,
      startStream,
      async stopStream(a: { hub: string }) {
        const s = streams.get(a.hub);
        if (!s) return { acked: [], failures: 0 };
        s.running = false;
        await s.loop;
        streams.delete(a.hub);
        return { acked: s.acked, failures: s.failures };
      },
    },
    async close() {
      for (const s of streams.values()) s.running = false;
      await Promise.allSettled([...streams.values()].map((s) => s.loop));
      await Promise.allSettled([...producers.values()].map((p) => p.close()));
    },
  };
});
