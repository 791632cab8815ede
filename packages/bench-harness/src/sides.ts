import type { BenchEnvironment } from "./bench-environment.js";
import { officialRoleOf } from "./storage-proxy.js";
import type { EphStoreConfig, LeaseTiming, WorkerConfig } from "./worker-config.js";

/**
 * A contender: eph, or the official processor with one of its strategies, or the raw client (the
 * ceiling), or the raw client with eph's receiver settings (throughput diagnosis only). `eph-metrics`
 * is eph recording OpenTelemetry metrics into the SDK, `eph-traces` metrics and a span per event (the
 * cost of observability, against `eph` in the same run). `eph-batch` is eph with one batch handler
 * (`registerBatchHandler`, batches of `maxBatchSize`) instead of the per-event handler.
 */
export type SideName =
  | "eph"
  | "eph-metrics"
  | "eph-traces"
  | "eph-batch"
  | "official-balanced"
  | "official-greedy"
  | "raw"
  | "raw-eph-receivers";

/** The sides compared, in the order they run. */
export const ALL_SIDES: readonly SideName[] = ["eph", "official-greedy", "official-balanced"];

/** Settings shared by every worker of a run. */
export interface WorkloadSettings {
  readonly timing: LeaseTiming;
  readonly maxBatchSize: number;
  readonly maxWaitTimeInSeconds: number;
  readonly storeKind: EphStoreConfig["kind"];
}

let runCounter = 0;

/**
 * Prepares the stores of one side for one scenario (fresh containers, so nothing carries over) and
 * returns a factory of worker configurations for it.
 */
export async function prepareSide(
  env: BenchEnvironment,
  side: SideName,
  settings: WorkloadSettings,
  scope: { hub: string; consumerGroup: string; faultable?: boolean },
): Promise<(name: string, extra?: Partial<WorkerConfig>) => Omit<WorkerConfig, "logFile">> {
  const id = `${Date.now().toString(36)}${(runCounter++).toString(36)}`;
  const faultable = scope.faultable ?? false;
  const base = {
    hubConnectionString: env.hubConnectionString(scope.hub),
    consumerGroup: scope.consumerGroup,
    timing: settings.timing,
    maxBatchSize: settings.maxBatchSize,
    maxWaitTimeInSeconds: settings.maxWaitTimeInSeconds,
    record: "log" as const,
    healthEveryMs: 1000,
  };
  if (side === "eph" || side === "eph-metrics" || side === "eph-traces" || side === "eph-batch") {
    const otel = side === "eph-metrics" ? "metrics" : side === "eph-traces" ? "traces" : undefined;
    const eph: EphStoreConfig = {
      kind: settings.storeKind,
      leaseConnectionString: await env.proxiedConnectionString("lease", { faultable }),
      checkpointConnectionString: await env.proxiedConnectionString("checkpoint", { faultable }),
      leaseContainer: `ephlease${id}`,
      checkpointContainer: `ephcp${id}`,
    };
    const batch = side === "eph-batch" ? { batchHandler: true } : {};
    return (name, extra) => ({ ...base, kind: "eph", name, eph, ...(otel ? { otel } : {}), ...batch, ...extra });
  }
  if (side === "raw" || side === "raw-eph-receivers") return (name, extra) => ({ ...base, kind: side, name, ...extra });
  const container = `official${id}`;
  await env.createContainer(container);
  const official = {
    strategy: side === "official-balanced" ? ("balanced" as const) : ("greedy" as const),
    connectionString: await env.proxiedConnectionString(officialRoleOf, { faultable }),
    container,
  };
  return (name, extra) => ({ ...base, kind: "official", name, official, ...extra });
}
