import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { afterEach, describe, expect, it } from "vitest";
import { loadHostTracing } from "../src/otel-tracing.js";

const source = { eventHubName: "hub", consumerGroup: "$Default", fullyQualifiedNamespace: "ns.example" };

describe("OpenTelemetry traces through the global provider", () => {
  afterEach(() => {
    trace.disable();
    context.disable();
  });

  it("cost nothing per event while no SDK is registered, and start as soon as one is", async () => {
    const tracing = await loadHostTracing(source, undefined);
    // @opentelemetry/api is installed but nothing registered a provider: every span would be a no-op,
    // so the handlers are called directly (and see no active span).
    expect(tracing.enabled).toBe(false);

    const exporter = new InMemorySpanExporter();
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }));
    expect(tracing.enabled).toBe(true);
    const event = { sequenceNumber: 7, enqueuedTimeUtc: new Date(0), body: "x", properties: {} } as never;
    let active: string | undefined;
    tracing.trace(
      "0",
      event,
      () => {
        active = trace.getActiveSpan()?.spanContext().spanId;
      },
      () => "handled",
    );
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(["process hub"]);
    expect(active).toBe(spans[0]?.spanContext().spanId);
  });
});
