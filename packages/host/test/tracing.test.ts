import { EventHubProducerClient } from "@azure/event-hubs";
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, memoryHost, memoryStores, Recorder, startEmulator, waitFor } from "./helpers.js";

describe("OpenTelemetry traces", () => {
  let emu: Emulator;
  const manager = new AsyncLocalStorageContextManager();
  beforeAll(async () => {
    emu = await startEmulator({ hubs: { traced: 1 } });
    context.setGlobalContextManager(manager.enable());
  });
  afterAll(async () => {
    context.disable();
    await emu?.close();
  });

  it("give each event a consumer span linked to its producer's context, active in the handler", async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const producerSpan = tracerProvider.getTracer("test").startSpan("send");
    const { traceId, spanId } = producerSpan.spanContext();
    producerSpan.end();

    // What an Azure SDK producer with tracing on puts in each event.
    const producer = new EventHubProducerClient(emu.connectionString("traced"));
    await producer.sendBatch(
      [
        { body: "linked", properties: { "Diagnostic-Id": `00-${traceId}-${spanId}-01` } },
        { body: "plain" },
        { body: "fails" },
      ],
      { partitionId: "0" },
    );
    await producer.close();

    const rec = new Recorder();
    const activeInHandler: (string | undefined)[] = [];
    const host = await memoryHost(emu, "traced", memoryStores(), rec, {
      tracerProvider,
      onHandlerFailure: "skipEvent",
      handlerRetry: { maxAttempts: 1 },
    });
    host.registerHandler(async (event) => {
      await Promise.resolve();
      activeInHandler.push(trace.getActiveSpan()?.spanContext().spanId);
      if (event.body === "fails") throw new Error("poison");
    });
    try {
      await host.startNonBlocking();
      await waitFor(
        () => exporter.getFinishedSpans().filter((s) => s.name === "process traced").length === 3,
        "3 spans",
      );
      const spans = exporter.getFinishedSpans().filter((s) => s.name === "process traced");
      expect(spans.map((s) => s.attributes["eph.sequence_number"])).toEqual([0, 1, 2]);
      expect(spans[0]?.attributes).toMatchObject({
        "messaging.system": "eventhubs",
        "messaging.operation.type": "process",
        "messaging.destination.name": "traced",
        "messaging.destination.partition.id": "0",
        "messaging.consumer.group.name": "$Default",
      });
      expect(spans[0]?.links.map((l) => [l.context.traceId, l.context.spanId])).toEqual([[traceId, spanId]]);
      expect(spans[1]?.links).toEqual([]);
      expect(spans.map((s) => s.attributes["eph.outcome"])).toEqual(["handled", "handled", "skipped"]);
      expect(spans[2]?.status.code).toBe(2); // ERROR
      // The handler ran with the event's span active, so the user's own spans nest under it.
      expect(activeInHandler).toEqual(spans.map((s) => s.spanContext().spanId));
    } finally {
      await host.close();
      await tracerProvider.shutdown();
    }
  });
});
