import {
  type Clock,
  EphError,
  type LeaseUpkeep,
  type Logger,
  type RandomSource,
  type ResolvedTiming,
  resolveTiming,
  systemClock,
  systemRandom,
} from "@eph/core";
import { type HostWebSocketOptions, type ResolvedClientOptions, resolveClientOptions } from "./client-options.js";
import type { AzureEnvironment } from "./environment.js";
import type {
  HandlerFailureAction,
  HostErrorInfo,
  PartitionClosedInfo,
  PartitionOpenedInfo,
  RebalanceInfo,
} from "./host-events.js";
import type { MeterProviderLike } from "./otel-metrics.js";
import type { TracerProviderLike } from "./otel-tracing.js";
import { type InitialPosition, type StartPosition, validateStartPosition } from "./start-position.js";

/** When the host stores positions on its own. */
export interface CheckpointPolicy {
  /**
   * `"auto"` (default): after handling, the host checkpoints by `everyEvents` / `everyMs`, on close and
   * before letting a partition go. `"manual"`: only positions passed through `context.checkpoint()` are
   * stored (also flushed on close and handoff).
   */
  readonly mode?: "auto" | "manual";
  /**
   * Write once this many events were handled since the last write. Default 10 000: at ordinary rates the
   * time limit decides, and a busy partition is not written every second (each write is a billed
   * storage transaction). Lower it to bound how many events a crash replays.
   */
  readonly everyEvents?: number;
  /** Write at most this long (ms) after the first event not yet written was handled. Default 5000. */
  readonly everyMs?: number;
}

/** How often, and how patiently, a failing handler is retried on the same event. */
export interface HandlerRetryPolicy {
  /** Attempts per handler and event, the first included. Default 3; 1 means no retry. */
  readonly maxAttempts?: number;
  /** Delay before the first retry (ms); doubles each time. Default 200. */
  readonly initialDelay?: number;
  /** Longest delay between retries (ms). Default 5000. */
  readonly maxDelay?: number;
}

/** Somewhere to write the banner, such as `process.stdout`. */
export interface BannerOutput {
  /** Writes one chunk of text. */
  write(text: string): unknown;
}

/** Options of {@link EventProcessorHost.create} and {@link EventProcessorHost.fromConnectionString}. */
export interface EventProcessorHostOptions {
  /** This host's name: the owner written in its leases. Default `eph-<random UUID>`. Unique per process. */
  hostName?: string;
  /** Consumer group to read with. Default `$Default`. */
  consumerGroup?: string;
  /** Cloud whose endpoint suffix completes a bare namespace name in `create`. Default Azure public cloud. */
  environment?: AzureEnvironment;
  /**
   * AMQP over WebSockets on port 443 instead of AMQP on 5671, for networks that block 5671 or go through
   * a proxy: `{ webSocket: WebSocket }` with `WebSocket` from the `ws` package, plus
   * `webSocketConstructorOptions` (e.g. `{ agent }` for a proxy). The client's `webSocketOptions`.
   */
  webSocketOptions?: HostWebSocketOptions;
  /**
   * Connect to this address instead of the namespace's, e.g. an application gateway or a proxy
   * (`"https://gateway.contoso.com:443/"`); the namespace is still the one authenticated against.
   * The client's `customEndpointAddress`.
   */
  customEndpointAddress?: string;
  /** Appended to eph's user agent (`eph-host <userAgent>`), which the client appends to its own. */
  userAgent?: string;
  /**
   * The client's `identifier` (its `identifier` property). Default: a random one. @azure/event-hubs 6
   * names the single-partition receivers a host opens with their own random ids, so the service does not
   * see it.
   */
  identifier?: string;
  /** Do not write the start-up banner (the seed's `WithNoBanner`). */
  noBanner?: boolean;
  /** Where the banner goes. Default: the logger, at `info` level (library code never writes to the console). */
  bannerOutput?: BannerOutput;
  /** Time a lease stays valid without renewal (ms). Default 60 000. */
  leaseDuration?: number;
  /** Time between renewals of each owned lease (ms). Default 10 000. */
  renewalInterval?: number;
  /** Time between scans of all leases (ms); partition ids are refreshed at each scan. Default 10 000. */
  scanInterval?: number;
  /**
   * Deadline of one store call (ms). Default: a quarter of `renewalInterval` but at least 1 000, and never
   * more than a sixth of `leaseDuration`.
   */
  operationTimeout?: number;
  /** Where a partition with no checkpoint starts, for all partitions or per partition. Default `"earliest"`. */
  initialPosition?: InitialPosition;
  /** Most events handed to the host per receive. Default 100. */
  maxBatchSize?: number;
  /**
   * Events the client may buffer ahead of the handlers, per partition. Default 300. Memory stays bounded:
   * at most `prefetchCount + maxBatchSize` events per owned partition are held at once.
   */
  prefetchCount?: number;
  /** Longest wait for events before the receiver reports an idle round (s); it keeps `health()` fresh. Default 5. */
  maxWaitTimeInSeconds?: number;
  /**
   * Ask the service to report the partition's last enqueued event with every delivery (the client's
   * `trackLastEnqueuedEventProperties`), so `health()` shows `lastEnqueuedSequenceNumber` and `lag`.
   * Default false, as in `@azure/event-hubs`: it costs the client about a tenth more CPU per event.
   * Without it those two fields are undefined; `eph status` reads the lag from the service instead.
   */
  trackLastEnqueuedEventProperties?: boolean;
  /** When positions are stored. */
  checkpoint?: CheckpointPolicy;
  /** How a failing handler is retried on the same event. */
  handlerRetry?: HandlerRetryPolicy;
  /** What happens to an event a handler keeps failing on. Default `"stopPartition"`. */
  onHandlerFailure?: HandlerFailureAction;
  /**
   * How leases are kept alive (the balancer's option): `"heartbeat"` (default), one liveness record per
   * host rewritten every renewal interval while lease records change only with their owner, or
   * `"perPartition"`, every held lease rewritten every renewal interval as earlier versions of eph do.
   * A consumer group may mix both during an upgrade: heartbeat hosts then renew per partition too.
   */
  leaseUpkeep?: LeaseUpkeep;
  /**
   * How long (ms) a host that took a partition from a live owner waits before reading it, so the
   * previous owner can finish its event, checkpoint and let go (no duplicates on planned moves); it
   * starts as soon as the previous owner signals that it let go. Default: the longest the previous
   * owner needs to notice, plus `2 × operationTimeout`: with heartbeat upkeep its next scan
   * (`scanInterval`), with per-partition upkeep its next renewal (`renewalInterval`).
   */
  handoffTimeout?: number;
  /** How long (ms) stopping a partition waits for the handler in flight. Default 30 000. */
  drainTimeout?: number;
  /**
   * Upper bound (ms) on the whole of `close()`: draining the handlers, the final checkpoints, releasing
   * the leases and closing the connection. Set a Kubernetes `terminationGracePeriodSeconds` a few
   * seconds above it. While closing, handlers are waited for only until `4 × operationTimeout` (at most
   * half of `closeTimeout`) is left, so the final checkpoints and releases still have that time. What
   * it cuts short is reported through `onError` (operation `"close"`, code `"Aborted"`, with the
   * partition) and one warning log line; `close()` still resolves. Default
   * `drainTimeout + 4 × operationTimeout` (40 s at the defaults). At least `2 × operationTimeout`.
   */
  closeTimeout?: number;
  /**
   * Most calls to the lease and checkpoint stores this host has in flight at once. Calls beyond it wait
   * in a queue that sends renewals and final checkpoints first, then releases, then routine checkpoint
   * writes and scans, then acquisitions and start-up reads; each call's `operationTimeout` counts from
   * when it is sent. Keeps a host starting or closing with hundreds of partitions from burying its own
   * renewals under its burst. Default 32.
   */
  maxConcurrentStoreCalls?: number;
  /** First delay before reconnecting a failed receiver (ms); doubles up to `maxReconnectDelay`. Default 500. */
  reconnectDelay?: number;
  /** Longest delay before reconnecting a failed receiver (ms). Default 30 000. */
  maxReconnectDelay?: number;
  /** Where the host logs. Default `createClientLogger("eph:host")` from `@azure/logger` (`AZURE_LOG_LEVEL`). */
  logger?: Logger;
  /**
   * Where OpenTelemetry metrics go (an `@opentelemetry/api` `MeterProvider`). Default: the global
   * provider your SDK registered. Without `@opentelemetry/api` installed the host records none.
   */
  meterProvider?: MeterProviderLike;
  /**
   * Where OpenTelemetry spans go (an `@opentelemetry/api` `TracerProvider`): one `process <hub>` span
   * per event, active while the handlers run. Default: the global provider. Without
   * `@opentelemetry/api` installed the host traces nothing.
   */
  tracerProvider?: TracerProviderLike;
  /** Monotonic clock for timers and deadlines; inject a `ManualClock` in tests. */
  clock?: Clock;
  /** Random source for jitter; inject `seededRandom(seed)` to replay a run. */
  random?: RandomSource;
  /** Closes the host when it fires; `start()` then resolves. */
  abortSignal?: AbortSignal;
  /** Close the host on SIGINT and SIGTERM (the seed's `Start` did so always). Default false. */
  handleSignals?: boolean;
  /** Called for every error, with its operation and partition. Never throw from it. */
  onError?: (info: HostErrorInfo) => void;
  /** Called when the host starts reading a partition. */
  onPartitionOpened?: (info: PartitionOpenedInfo) => void;
  /** Called when the host stops reading a partition, with the reason. */
  onPartitionClosed?: (info: PartitionClosedInfo) => void;
  /** Called after a scan of the leases that gave this host partitions. */
  onRebalance?: (info: RebalanceInfo) => void;
}

/** Options with every default filled in and every value checked. */
export interface ResolvedHostOptions {
  readonly hostName: string;
  readonly consumerGroup: string;
  readonly environment: AzureEnvironment | undefined;
  readonly client: ResolvedClientOptions;
  readonly noBanner: boolean;
  readonly bannerOutput: BannerOutput | undefined;
  readonly timing: ResolvedTiming;
  readonly initialPosition: (partitionId: string) => Promise<StartPosition>;
  readonly maxBatchSize: number;
  readonly prefetchCount: number;
  readonly maxWaitTimeInSeconds: number;
  readonly trackLastEnqueuedEventProperties: boolean;
  readonly checkpoint: Required<CheckpointPolicy>;
  readonly handlerRetry: Required<HandlerRetryPolicy>;
  readonly onHandlerFailure: HandlerFailureAction;
  readonly handoffTimeout: number;
  readonly drainTimeout: number;
  readonly closeTimeout: number;
  readonly reconnectDelay: number;
  readonly maxReconnectDelay: number;
  readonly logger: Logger | undefined;
  readonly meterProvider: MeterProviderLike | undefined;
  readonly tracerProvider: TracerProviderLike | undefined;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly abortSignal: AbortSignal | undefined;
  readonly handleSignals: boolean;
  readonly onError: ((info: HostErrorInfo) => void) | undefined;
  readonly onPartitionOpened: ((info: PartitionOpenedInfo) => void) | undefined;
  readonly onPartitionClosed: ((info: PartitionClosedInfo) => void) | undefined;
  readonly onRebalance: ((info: RebalanceInfo) => void) | undefined;
}

const knownOptions = new Set<string>([
  "hostName",
  "consumerGroup",
  "environment",
  "webSocketOptions",
  "customEndpointAddress",
  "userAgent",
  "identifier",
  "noBanner",
  "bannerOutput",
  "leaseDuration",
  "renewalInterval",
  "scanInterval",
  "operationTimeout",
  "initialPosition",
  "maxBatchSize",
  "prefetchCount",
  "maxWaitTimeInSeconds",
  "trackLastEnqueuedEventProperties",
  "checkpoint",
  "handlerRetry",
  "onHandlerFailure",
  "leaseUpkeep",
  "handoffTimeout",
  "drainTimeout",
  "closeTimeout",
  "maxConcurrentStoreCalls",
  "reconnectDelay",
  "maxReconnectDelay",
  "logger",
  "meterProvider",
  "tracerProvider",
  "clock",
  "random",
  "abortSignal",
  "handleSignals",
  "onError",
  "onPartitionOpened",
  "onPartitionClosed",
  "onRebalance",
]);

function invalid(message: string): never {
  throw new EphError("InvalidOption", message);
}

function integer(name: string, value: unknown, fallback: number, min: number): number {
  const v = value ?? fallback;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) {
    invalid(`Option "${name}" must be an integer of at least ${min}; got ${String(value)}.`);
  }
  return v;
}

function flag(name: string, value: unknown, fallback: boolean): boolean {
  const v = value ?? fallback;
  if (typeof v !== "boolean") invalid(`Option "${name}" must be true or false; got ${String(value)}.`);
  return v;
}

function duration(name: string, value: unknown, fallback: number, allowZero = false): number {
  const v = value ?? fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || (v === 0 && !allowZero)) {
    invalid(`Option "${name}" must be a ${allowZero ? "non-negative" : "positive"} number; got ${String(value)}.`);
  }
  return v;
}

function callback<T>(name: string, value: unknown): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "function") invalid(`Option "${name}" must be a function.`);
  return value as T;
}

function plainObject(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value))
    invalid(`Option "${name}" must be an object.`);
  return value as Record<string, unknown>;
}

const consumerGroupName = /^(\$Default|[A-Za-z0-9]([A-Za-z0-9._-]{0,48}[A-Za-z0-9])?)$/;

/**
 * Checks every option and fills in the defaults. Throws an `InvalidOption` error naming the first bad
 * option; unknown option names are refused too (a misspelt option would otherwise be silently ignored).
 */
export function resolveHostOptions(options: EventProcessorHostOptions | undefined): ResolvedHostOptions {
  const o = plainObject("options", options) as EventProcessorHostOptions & Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!knownOptions.has(key) && o[key] !== undefined) invalid(`Unknown option "${key}".`);
  }

  const hostName = o.hostName ?? `eph-${crypto.randomUUID()}`;
  if (typeof hostName !== "string" || hostName.trim() === "" || hostName.length > 256) {
    invalid('Option "hostName" must be a non-empty string of at most 256 characters.');
  }
  const consumerGroup = o.consumerGroup ?? "$Default";
  if (typeof consumerGroup !== "string" || !consumerGroupName.test(consumerGroup)) {
    invalid(`Option "consumerGroup" must be "$Default" or a consumer group name; got "${String(consumerGroup)}".`);
  }

  for (const name of ["noBanner", "handleSignals"] as const) {
    if (o[name] !== undefined && typeof o[name] !== "boolean") invalid(`Option "${name}" must be a boolean.`);
  }
  if (o.bannerOutput !== undefined && typeof o.bannerOutput?.write !== "function") {
    invalid('Option "bannerOutput" must have a write(text) method, like process.stdout.');
  }

  let timing: ResolvedTiming;
  try {
    timing = resolveTiming({
      leaseDuration: o.leaseDuration,
      renewalInterval: o.renewalInterval,
      scanInterval: o.scanInterval,
      operationTimeout: o.operationTimeout,
      maxConcurrentCalls: integer("maxConcurrentStoreCalls", o.maxConcurrentStoreCalls, 32, 1),
      leaseUpkeep: o.leaseUpkeep,
    });
  } catch (error) {
    if (error instanceof EphError) throw error;
    throw new EphError("InvalidOption", "Invalid lease timing options.");
  }

  let initialPosition: (partitionId: string) => Promise<StartPosition>;
  const initial = o.initialPosition ?? "earliest";
  if (typeof initial === "function") {
    initialPosition = async (partitionId) =>
      validateStartPosition(await initial(partitionId), `initialPosition(${JSON.stringify(partitionId)})`);
  } else {
    const fixed = validateStartPosition(initial, "initialPosition");
    initialPosition = async () => fixed;
  }

  const maxBatchSize = integer("maxBatchSize", o.maxBatchSize, 100, 1);
  const prefetchCount = integer("prefetchCount", o.prefetchCount, Math.max(300, maxBatchSize), 1);
  if (prefetchCount < maxBatchSize) {
    invalid(`Option "prefetchCount" (${prefetchCount}) must be at least "maxBatchSize" (${maxBatchSize}).`);
  }
  const maxWaitTimeInSeconds = duration("maxWaitTimeInSeconds", o.maxWaitTimeInSeconds, 5);

  const cp = plainObject("checkpoint", o.checkpoint);
  const mode = cp.mode ?? "auto";
  if (mode !== "auto" && mode !== "manual") invalid('Option "checkpoint.mode" must be "auto" or "manual".');
  const checkpoint = {
    mode,
    everyEvents: integer("checkpoint.everyEvents", cp.everyEvents, 10_000, 1),
    everyMs: duration("checkpoint.everyMs", cp.everyMs, 5000),
  } as const;

  const hr = plainObject("handlerRetry", o.handlerRetry);
  const handlerRetry = {
    maxAttempts: integer("handlerRetry.maxAttempts", hr.maxAttempts, 3, 1),
    initialDelay: duration("handlerRetry.initialDelay", hr.initialDelay, 200),
    maxDelay: duration("handlerRetry.maxDelay", hr.maxDelay, 5000),
  };
  if (handlerRetry.maxDelay < handlerRetry.initialDelay) {
    invalid('Option "handlerRetry.maxDelay" must be at least "handlerRetry.initialDelay".');
  }

  const onHandlerFailure = o.onHandlerFailure ?? "stopPartition";
  if (onHandlerFailure !== "stopPartition" && onHandlerFailure !== "skipEvent") {
    invalid('Option "onHandlerFailure" must be "stopPartition" or "skipEvent".');
  }

  const handoffTimeout = duration(
    "handoffTimeout",
    o.handoffTimeout,
    (timing.leaseUpkeep === "heartbeat" ? timing.scanInterval : timing.renewalInterval) + 2 * timing.operationTimeout,
    true,
  );
  if (handoffTimeout >= timing.leaseDuration) {
    invalid(`Option "handoffTimeout" (${handoffTimeout} ms) must be shorter than "leaseDuration".`);
  }
  const drainTimeout = duration("drainTimeout", o.drainTimeout, 30_000);
  const closeTimeout = duration("closeTimeout", o.closeTimeout, drainTimeout + 4 * timing.operationTimeout);
  if (closeTimeout < 2 * timing.operationTimeout) {
    invalid(
      `Option "closeTimeout" (${closeTimeout} ms) must be at least 2 × "operationTimeout" (${2 * timing.operationTimeout} ms): a final checkpoint and a release.`,
    );
  }
  const reconnectDelay = duration("reconnectDelay", o.reconnectDelay, 500);
  const maxReconnectDelay = duration("maxReconnectDelay", o.maxReconnectDelay, 30_000);
  if (maxReconnectDelay < reconnectDelay) invalid('Option "maxReconnectDelay" must be at least "reconnectDelay".');

  if (o.logger !== undefined) {
    for (const level of ["error", "warning", "info", "verbose"] as const) {
      if (typeof o.logger?.[level] !== "function") invalid(`Option "logger" must have a ${level}() method.`);
    }
  }
  if (o.clock !== undefined) {
    for (const m of ["now", "setTimeout", "clearTimeout"] as const) {
      if (typeof o.clock?.[m] !== "function") invalid(`Option "clock" must have a ${m}() method.`);
    }
  }
  const random = callback<RandomSource>("random", o.random) ?? systemRandom;
  if (o.abortSignal !== undefined && !(o.abortSignal instanceof AbortSignal)) {
    invalid('Option "abortSignal" must be an AbortSignal.');
  }

  return {
    hostName,
    consumerGroup,
    environment: o.environment,
    client: resolveClientOptions(o),
    noBanner: flag("noBanner", o.noBanner, false),
    bannerOutput: o.bannerOutput,
    timing,
    initialPosition,
    maxBatchSize,
    prefetchCount,
    maxWaitTimeInSeconds,
    trackLastEnqueuedEventProperties: flag(
      "trackLastEnqueuedEventProperties",
      o.trackLastEnqueuedEventProperties,
      false,
    ),
    checkpoint,
    handlerRetry,
    onHandlerFailure,
    handoffTimeout,
    drainTimeout,
    closeTimeout,
    reconnectDelay,
    maxReconnectDelay,
    logger: o.logger,
    meterProvider: provider("meterProvider", o.meterProvider, "getMeter"),
    tracerProvider: provider("tracerProvider", o.tracerProvider, "getTracer"),
    clock: o.clock ?? systemClock,
    random,
    abortSignal: o.abortSignal,
    handleSignals: flag("handleSignals", o.handleSignals, false),
    onError: callback("onError", o.onError),
    onPartitionOpened: callback("onPartitionOpened", o.onPartitionOpened),
    onPartitionClosed: callback("onPartitionClosed", o.onPartitionClosed),
    onRebalance: callback("onRebalance", o.onRebalance),
  };
}

function provider<T>(name: string, value: T | undefined, method: "getMeter" | "getTracer"): T | undefined {
  if (value === undefined) return undefined;
  if (typeof (value as Record<string, unknown> | null)?.[method] !== "function") {
    invalid(
      `Option "${name}" must be an OpenTelemetry ${name.charAt(0).toUpperCase()}${name.slice(1)} (an object with ${method}()).`,
    );
  }
  return value;
}
