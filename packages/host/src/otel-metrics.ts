import type { Attributes, BatchObservableCallback, Meter, MeterProvider } from "@opentelemetry/api";
import type { HostHealth } from "./health.js";
import { type HostMetrics, noHostMetrics } from "./host-metrics.js";

/**
 * The part of OpenTelemetry's `MeterProvider` the host uses (typed here so that `@eph/host`'s types
 * do not need `@opentelemetry/api` installed).
 */
export interface MeterProviderLike {
  /** Returns the meter of an instrumentation scope. */
  getMeter(name: string, version?: string): object;
}

/** Where the metrics come from: the hub the host reads and its health. */
export interface MetricsSource {
  readonly eventHubName: string;
  readonly consumerGroup: string;
  readonly fullyQualifiedNamespace: string;
  health(): HostHealth;
}

// The scope name and version the meter is created under.
const scope = "@eph/host";
const scopeVersion = "0.1.0";

/**
 * Metrics through `@opentelemetry/api` when it is installed (an optional peer dependency): loaded with
 * a dynamic import, so a missing package costs nothing and throws nothing. Without `meterProvider`,
 * the global one (what the user's SDK registered; a no-op provider when none was).
 */
export async function loadHostMetrics(
  source: MetricsSource,
  meterProvider: MeterProviderLike | undefined,
): Promise<HostMetrics> {
  let globalProvider: MeterProvider;
  try {
    globalProvider = (await import("@opentelemetry/api")).metrics;
  } catch {
    return noHostMetrics;
  }
  const meter = ((meterProvider as MeterProvider | undefined) ?? globalProvider).getMeter(scope, scopeVersion);
  return openTelemetryMetrics(meter, source);
}

function openTelemetryMetrics(meter: Meter, source: MetricsSource): HostMetrics {
  // Messaging semantic conventions (v1.27+) where they have a name; eph's own metrics under `eph.`.
  const base: Attributes = {
    "messaging.system": "eventhubs",
    "messaging.destination.name": source.eventHubName,
    "messaging.consumer.group.name": source.consumerGroup,
    "server.address": source.fullyQualifiedNamespace,
  };
  const attrs = new Map<string, Attributes>();
  const of = (partitionId: string): Attributes => {
    let a = attrs.get(partitionId);
    if (a === undefined) {
      a = { ...base, "messaging.destination.partition.id": partitionId };
      attrs.set(partitionId, a);
    }
    return a;
  };
  // Counted here and reported on collection: an observable counter costs a map update per event
  // where a synchronous one would hash the attributes of every event.
  const handled = new Map<string, number>();
  const consumed = meter.createObservableCounter("messaging.client.consumed.messages", {
    description: "Events handled (or skipped by the failure policy) by this host.",
    unit: "{message}",
  });
  const duration = meter.createHistogram("messaging.process.duration", {
    description: "Duration of one handler call on one event.",
    unit: "s",
  });
  const ownership = meter.createCounter("eph.partition.ownership.changes", {
    description: "Partitions that came to this host or left it, by reason.",
    unit: "{partition}",
  });
  const renewals = meter.createHistogram("eph.lease.renewal.duration", {
    description: "Duration of lease renewals; `error.type` is set on failures.",
    unit: "s",
  });
  const checkpoints = meter.createCounter("eph.checkpoint.writes", {
    description: "Checkpoint writes by result: written, failed, fenced (refused: a newer owner holds the partition).",
    unit: "{write}",
  });
  const owned = meter.createObservableGauge("eph.partitions.owned", {
    description: "Partitions whose lease this host holds.",
    unit: "{partition}",
  });
  const lagEvents = meter.createObservableGauge("eph.consumer.lag", {
    description: "Events enqueued and not yet checkpointed, per partition (needs trackLastEnqueuedEventProperties).",
    unit: "{message}",
  });
  const lagSeconds = meter.createObservableGauge("eph.consumer.lag.time", {
    description: "Now minus the enqueued time of the last handled event, per partition; 0 when nothing waits.",
    unit: "s",
  });
  const callback: BatchObservableCallback = (results) => {
    const health = source.health();
    results.observe(owned, health.leasesHeld, base);
    for (const [partitionId, count] of handled) results.observe(consumed, count, of(partitionId));
    const now = Date.now();
    for (const p of health.partitions) {
      if (p.lag !== undefined) results.observe(lagEvents, p.lag, of(p.partitionId));
      if (p.lastEnqueuedTime === undefined) continue;
      // With the service's figures known and nothing waiting, the partition is caught up.
      const seconds = p.lag === 0 ? 0 : Math.max(0, (now - p.lastEnqueuedTime.getTime()) / 1000);
      results.observe(lagSeconds, seconds, of(p.partitionId));
    }
  };
  meter.addBatchObservableCallback(callback, [owned, consumed, lagEvents, lagSeconds]);
  return {
    enabled: true,
    handlerCall: (partitionId, ms, ok) =>
      duration.record(ms / 1000, ok ? of(partitionId) : { ...of(partitionId), "error.type": "handler_error" }),
    eventHandled: (partitionId) => handled.set(partitionId, (handled.get(partitionId) ?? 0) + 1),
    ownershipChanged: (partitionId, change) => ownership.add(1, { ...of(partitionId), "eph.ownership.change": change }),
    leaseRenewal: (partitionId, ms, ok) => {
      const attributes = partitionId === undefined ? base : of(partitionId);
      renewals.record(ms / 1000, ok ? attributes : { ...attributes, "error.type": "renewal_failed" });
    },
    checkpointWrite: (partitionId, result) =>
      checkpoints.add(1, { ...of(partitionId), "eph.checkpoint.result": result }),
    close: () => meter.removeBatchObservableCallback(callback, [owned, consumed, lagEvents, lagSeconds]),
  };
}
