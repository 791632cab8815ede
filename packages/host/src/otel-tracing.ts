import type { ReceivedEventData } from "@azure/event-hubs";

// Resolved as the `import()` below is (ESM), also in the CommonJS build: otherwise TypeScript sees two
// copies of these types. (An import type, not `import type {…} with`, which biome's parser refuses.)
type Api = typeof import("@opentelemetry/api", { with: { "resolution-mode": "import" }});
type Attributes = import("@opentelemetry/api", { with: { "resolution-mode": "import" }}).Attributes;
type ContextAPI = Api["context"];
type Link = import("@opentelemetry/api", { with: { "resolution-mode": "import" }}).Link;
type Span = import("@opentelemetry/api", { with: { "resolution-mode": "import" }}).Span;
type SpanKind = import("@opentelemetry/api", { with: { "resolution-mode": "import" }}).SpanKind;
type SpanStatusCode = import("@opentelemetry/api", { with: { "resolution-mode": "import" }}).SpanStatusCode;
type TraceAPI = Api["trace"];
type Tracer = import("@opentelemetry/api", { with: { "resolution-mode": "import" }}).Tracer;
type TracerProvider = import("@opentelemetry/api", { with: { "resolution-mode": "import" }}).TracerProvider;

import type { MetricsSource } from "./otel-metrics.js";

/**
 * The part of OpenTelemetry's `TracerProvider` the host uses (typed here so that `@eph/host`'s types
 * do not need `@opentelemetry/api` installed).
 */
export interface TracerProviderLike {
  /** Returns the tracer of an instrumentation scope. */
  getTracer(name: string, version?: string): object;
}

/** How one traced event ended. */
export type TracedOutcome = "handled" | "skipped" | "deadLettered" | "failed" | "stopped";

/** Runs the handlers of one event inside a processing span. */
export interface HostTracing {
  /**
   * False when nothing is traced (no `@opentelemetry/api`, or no SDK registered and no
   * `tracerProvider` given): the worker then calls the handlers directly. Read per event.
   */
  readonly enabled: boolean;
  /**
   * Runs `dispatch` with a span for `event` active, and ends the span with the outcome `outcomeOf`
   * reads from what `dispatch` returned (synchronously or not).
   */
  trace<T>(
    partitionId: string,
    event: ReceivedEventData,
    dispatch: () => T,
    outcomeOf: (value: Awaited<T>) => TracedOutcome,
  ): T;
}

/** Tracing that traces nothing. */
export const noHostTracing: HostTracing = {
  enabled: false,
  trace: (_partitionId, _event, dispatch) => dispatch(),
};

// The W3C trace context Azure SDK producers put in each event (`traceparent` format).
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * Traces through `@opentelemetry/api` when it is installed: a `process <hub>` span (kind consumer)
 * per event, linked to the producer's context from the event's `Diagnostic-Id`, active while the
 * handlers run, with the outcome recorded. Loaded lazily; no tracing when the package is missing, and
 * none per event while no SDK is registered (unless `tracerProvider` is given).
 */
export async function loadHostTracing(
  source: Omit<MetricsSource, "health">,
  tracerProvider: TracerProviderLike | undefined,
): Promise<HostTracing> {
  let api: { context: ContextAPI; trace: TraceAPI; consumer: SpanKind; error: SpanStatusCode };
  let sdkRegistered: () => boolean;
  try {
    const otel = await import("@opentelemetry/api");
    api = {
      context: otel.context,
      trace: otel.trace,
      consumer: otel.SpanKind.CONSUMER,
      error: otel.SpanStatusCode.ERROR,
    };
    // The global provider is a proxy whose delegate is the no-op provider until an SDK registers
    // (maybe after this host was created): asked per event, it is two property reads, and spans that
    // no SDK would record are not made at all.
    const ProxyProvider = otel.ProxyTracerProvider;
    const noop = new ProxyProvider().getDelegate();
    sdkRegistered = () => {
      const provider = otel.trace.getTracerProvider();
      return !(provider instanceof ProxyProvider) || provider.getDelegate() !== noop;
    };
  } catch {
    return noHostTracing;
  }
  const { context, trace } = api;
  const enabled = tracerProvider === undefined ? sdkRegistered : () => true;
  const tracer: Tracer = ((tracerProvider as TracerProvider | undefined) ?? trace).getTracer("@eph/host", "0.1.0");
  const name = `process ${source.eventHubName}`;
  const base: Attributes = {
    "messaging.system": "eventhubs",
    "messaging.operation.type": "process",
    "messaging.destination.name": source.eventHubName,
    "messaging.consumer.group.name": source.consumerGroup,
    "server.address": source.fullyQualifiedNamespace,
  };
  const end = (span: Span, outcome: TracedOutcome): void => {
    span.setAttribute("eph.outcome", outcome);
    if (outcome !== "handled") span.setStatus({ code: api.error, message: `event ${outcome}` });
    span.end();
  };
  return {
    get enabled() {
      return enabled();
    },
    trace(partitionId, event, dispatch, outcomeOf) {
      const links = producerLink(event);
      const span = tracer.startSpan(name, {
        kind: api.consumer,
        attributes: {
          ...base,
          "messaging.destination.partition.id": partitionId,
          "messaging.eventhubs.message.enqueued_time": event.enqueuedTimeUtc.getTime(),
          "eph.sequence_number": event.sequenceNumber,
        },
        links,
      });
      const result = context.with(trace.setSpan(context.active(), span), () => {
        try {
          return dispatch();
        } catch (error) {
          span.recordException(error as Error);
          end(span, "failed");
          throw error;
        }
      });
      if (result instanceof Promise) {
        return result.then(
          (value: Awaited<typeof result>) => {
            end(span, outcomeOf(value));
            return value;
          },
          (error: unknown) => {
            span.recordException(error as Error);
            end(span, "failed");
            throw error;
          },
        ) as typeof result;
      }
      end(span, outcomeOf(result as Awaited<typeof result>));
      return result;
    },
  };

  function producerLink(event: ReceivedEventData): Link[] | undefined {
    const id = event.properties?.["Diagnostic-Id"];
    const match = typeof id === "string" ? TRACEPARENT.exec(id) : null;
    if (match === null) return undefined;
    const [, traceId, spanId, flags] = match as unknown as [string, string, string, string];
    return [{ context: { traceId, spanId, traceFlags: Number.parseInt(flags, 16), isRemote: true } }];
  }
}
