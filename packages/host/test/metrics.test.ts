import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from "@opentelemetry/sdk-metrics";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventProcessorHost } from "../src/index.js";
import { type Emulator, memoryHost, memoryStores, Recorder, sendToAll, startEmulator, waitFor } from "./helpers.js";

/** A reader the test collects from when it wants. */
class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

type Points = DataPoint<number | Histogram>[];

async function points(reader: TestReader, name: string): Promise<Points> {
  const { resourceMetrics }: { resourceMetrics: ResourceMetrics } = await reader.collect();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) if (metric.descriptor.name === name) return metric.dataPoints as Points;
  }
  return [];
}

const sum = (ps: Points) => ps.reduce((total, p) => total + (typeof p.value === "number" ? p.value : p.value.count), 0);

describe("OpenTelemetry metrics", () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ hubs: { metrics: 2 } });
  });
  afterAll(async () => {
    await emu?.close();
  });

  it("match what the handlers and health() saw on a known run", async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const rec = new Recorder();
    const host = await memoryHost(emu, "metrics", memoryStores(), rec, {
      meterProvider,
      trackLastEnqueuedEventProperties: true,
      checkpoint: { everyEvents: 1 },
    });
    try {
      await host.startNonBlocking();
      await sendToAll(emu, "metrics", ["0", "1"], 10);
      await waitFor(() => rec.deliveries.length === 20, "20 events");
      await waitFor(() => host.health().partitions.every((p) => p.checkpoint?.sequenceNumber === 9), "checkpoints");

      const consumed = await points(reader, "messaging.client.consumed.messages");
      expect(consumed.map((p) => [p.attributes["messaging.destination.partition.id"], p.value]).sort()).toEqual([
        ["0", 10],
        ["1", 10],
      ]);
      expect(consumed[0]?.attributes).toMatchObject({
        "messaging.system": "eventhubs",
        "messaging.destination.name": "metrics",
        "messaging.consumer.group.name": "$Default",
      });
      expect(sum(await points(reader, "messaging.process.duration"))).toBe(20);
      expect(sum(await points(reader, "eph.partitions.owned"))).toBe(host.health().leasesHeld);
      const acquired = (await points(reader, "eph.partition.ownership.changes")).filter(
        (p) => p.attributes["eph.ownership.change"] === "acquired",
      );
      expect(sum(acquired)).toBe(2);
      const written = (await points(reader, "eph.checkpoint.writes")).filter(
        (p) => p.attributes["eph.checkpoint.result"] === "written",
      );
      expect(sum(written)).toBeGreaterThanOrEqual(2);
      await waitFor(() => host.health().partitions.every((p) => p.lag === 0), "lag 0 in health()");
      const lag = await points(reader, "eph.consumer.lag");
      expect(lag.map((p) => p.value)).toEqual([0, 0]);
      expect((await points(reader, "eph.consumer.lag.time")).map((p) => p.value)).toEqual([0, 0]);

      let renewals = 0;
      await waitFor(() => {
        void points(reader, "eph.lease.renewal.duration").then((ps) => {
          renewals = sum(ps);
        });
        return renewals > 0;
      }, "a lease renewal");

      await host.close();
      const released = (await points(reader, "eph.partition.ownership.changes")).filter(
        (p) => p.attributes["eph.ownership.change"] === "released",
      );
      expect(sum(released)).toBe(2);
    } finally {
      await host.close();
      await meterProvider.shutdown();
    }
  });

  it("refuses a meterProvider that is not one", async () => {
    await expect(
      EventProcessorHost.fromConnectionString(
        emu.connectionString("metrics"),
        memoryStores().leaser(),
        memoryStores().checkpointer(),
        {
          meterProvider: {} as never,
        },
      ),
    ).rejects.toMatchObject({ code: "InvalidOption", message: expect.stringContaining("meterProvider") });
  });
});
