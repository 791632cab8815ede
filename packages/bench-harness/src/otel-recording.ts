import { context, metrics as metricsApi } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import { BatchSpanProcessor, InMemorySpanExporter, TracerProvider } from "@opentelemetry/sdk-trace";

/** The OpenTelemetry SDK a benchmark worker records into, and the host options that point at it. */
export interface OtelRecording {
  /** `meterProvider` (and `tracerProvider` for traces) for the host. */
  readonly hostOptions: { meterProvider: MeterProvider; tracerProvider?: TracerProvider };
  /** Flushes and stops the SDK. */
  close(): Promise<void>;
}

/**
 * Starts the SDK as an application would: metrics collected every second into an in-memory exporter
 * (emptied at each export, so memory stays flat); with `traces`, spans batched into an in-memory
 * exporter emptied every second, and an AsyncLocalStorage context manager so handler spans nest.
 */
export function startRecording(kind: "metrics" | "traces"): OtelRecording {
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 1000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  metricsApi.setGlobalMeterProvider(meterProvider);
  let tracerProvider: TracerProvider | undefined;
  let spanExporter: InMemorySpanExporter | undefined;
  if (kind === "traces") {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    spanExporter = new InMemorySpanExporter();
    tracerProvider = new TracerProvider({
      spanProcessors: [new BatchSpanProcessor({ exporter: spanExporter, scheduledDelayMillis: 1000 })],
    });
  }
  const emptying = setInterval(() => {
    metricExporter.reset();
    spanExporter?.reset();
  }, 1000);
  emptying.unref();
  return {
    hostOptions: tracerProvider ? { meterProvider, tracerProvider } : { meterProvider },
    async close() {
      clearInterval(emptying);
      await Promise.allSettled([meterProvider.shutdown(), tracerProvider?.shutdown()]);
    },
  };
}
