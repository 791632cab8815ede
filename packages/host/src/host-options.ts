import {
  type Clock,
  checkClient,
  type DeadLetterStore,
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
import type { InvalidPositionAction } from "./position-check.js";
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
  /**
   * What happens to an event a handler keeps failing on: `"stopPartition"` (default), `"skipEvent"`,
   * or `"deadLetter"` (needs `deadLetterStore`).
   */
  onHandlerFailure?: HandlerFailureAction;
  /**
   * Longest a handler call may run (ms): per event for a handler, per batch for a batch handler. A call
   * still running past it is reported through `onError` (code `HandlerTimeout`, with the partition and
   * the event), its `context.signal` fires, and it counts as a failed attempt: `handlerRetry` and
   * `onHandlerFailure` apply, so a partition is never silently stuck behind one promise. The call itself
   * cannot be cancelled: a retry runs beside it if it ignores its signal. Default: no limit.
   */
  handlerTimeout?: number;
  /**
   * Events of one partition handled at once by the per-event handlers. Default 1: one event at a time,
   * in order. With more, events that share a partition key are still handled one after the other, in
   * order, and events of different keys in parallel; **events without a partition key have no order
   * among themselves** (each counts as its own key). The checkpoint only ever moves to the newest event
   * below which every event is complete, so a crash never skips an unfinished one; batch handlers get
   * the events in order all the same.
   */
  concurrency?: number;
  /**
   * Most events received and not yet handled across all partitions of this host. Once reached, the host
   * stops taking events from the client (whose receivers then stop replenishing credit beyond their
   * prefetch) until handlers catch up, so memory stays bounded by one slow downstream. Batches held for
   * their `minBatchSize` are then delivered as they are, so the cap never deadlocks. Default: no cap
   * (each partition is bounded by its prefetch and batch sizes alone).
   */
  maxInFlightEvents?: number;
  /**
   * Where `onHandlerFailure: "deadLetter"` writes the events handlers gave up on (`BlobDeadLetterStore`
   * of `@eph/checkpointer-blob`, `MemoryDeadLetterStore` of `@eph/checkpointer-memory`). The host
   * tells it its scope and creates it at start, as it does the lease and checkpoint stores.
   */
  deadLetterStore?: DeadLetterStore;
  /**
   * What to do when a partition's checkpoint is outside its range, checked before reading and when the
   * service refuses the position: below the oldest retained event (events expired) or beyond the last
   * one (the partition or hub was reset or recreated). `"earliest"` (default): read from the oldest
   * retained event; `"latest"`: from new events only; `"stop"`: do not read the partition. Each case is
   * reported through `onError` (operation `"position"`, code `InvalidPosition`, with the stored position
   * and the range) and counted in `health().partitions[].invalidPositions`.
   */
  onInvalidPosition?: InvalidPositionAction;
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
  readonly handlerTimeout: number | undefined;
  readonly concurrency: number;
  readonly maxInFlightEvents: number | undefined;
  readonly deadLetterStore: DeadLetterStore | undefined;
  readonly onInvalidPosition: InvalidPositionAction;
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

/** One host option as documented: its default, and which check applies to a value given. */
export interface HostOptionSpec {
  /** The default, as the README's option table states it. */
  readonly default: string;
  /** How a value is checked (`resolveHostOptions` applies it; a bad value is an `InvalidOption` naming it). */
  readonly check: string;
}

/**
 * Every host option, once: the "unknown option" check reads its names, and `satisfies` makes the
 * compiler refuse a name missing from {@link EventProcessorHostOptions} or an option of that type
 * missing here, so the two cannot drift apart. A test holds the README's option table to it.
 */
export const hostOptionSpecs = {
  hostName: { default: "eph-<uuid>", check: "non-empty string, at most 256 characters" },
  consumerGroup: { default: "$Default", check: "consumer group name" },
  environment: { default: "Azure public cloud", check: "cloud name or { serviceBusEndpointSuffix }" },
  webSocketOptions: { default: "AMQP over TCP 5671", check: "{ webSocket, webSocketConstructorOptions? }" },
  customEndpointAddress: { default: "the namespace", check: "https address with a host" },
  userAgent: { default: "", check: "printable ASCII, at most 256 characters" },
  identifier: { default: "random", check: "printable ASCII, at most 256 characters" },
  noBanner: { default: "false", check: "boolean" },
  bannerOutput: { default: "the logger", check: "object with write(text)" },
  leaseDuration: { default: "60 000 ms", check: "lease timing (core resolveTiming)" },
  renewalInterval: { default: "10 000 ms", check: "lease timing (core resolveTiming)" },
  scanInterval: { default: "10 000 ms", check: "lease timing (core resolveTiming)" },
  operationTimeout: { default: "renewalInterval / 4, at least 1 000 ms", check: "lease timing (core resolveTiming)" },
  initialPosition: { default: '"earliest"', check: "start position or (partitionId) => start position" },
  maxBatchSize: { default: "100", check: "integer >= 1" },
  prefetchCount: { default: "max(300, maxBatchSize)", check: "integer >= maxBatchSize" },
  maxWaitTimeInSeconds: { default: "5", check: "positive number" },
  trackLastEnqueuedEventProperties: { default: "false", check: "boolean" },
  checkpoint: { default: '{ mode: "auto", everyEvents: 10000, everyMs: 5000 }', check: "object" },
  handlerRetry: { default: "{ maxAttempts: 3, initialDelay: 200, maxDelay: 5000 }", check: "object" },
  onHandlerFailure: { default: '"stopPartition"', check: '"stopPartition", "skipEvent" or "deadLetter"' },
  deadLetterStore: { default: "none", check: "DeadLetterStore (needed by deadLetter)" },
  handlerTimeout: { default: "no limit", check: "positive number" },
  concurrency: { default: "1", check: "integer >= 1" },
  maxInFlightEvents: { default: "no cap", check: "integer >= 1" },
  onInvalidPosition: { default: '"earliest"', check: '"earliest", "latest" or "stop"' },
  leaseUpkeep: { default: '"heartbeat"', check: '"heartbeat" or "perPartition"' },
  handoffTimeout: {
    default: "scanInterval (heartbeat) or renewalInterval (perPartition) + 2 × operationTimeout",
    check: "0 <= ms < leaseDuration",
  },
  drainTimeout: { default: "30 000 ms", check: "positive number" },
  closeTimeout: { default: "drainTimeout + 4 × operationTimeout", check: "ms >= 2 × operationTimeout" },
  maxConcurrentStoreCalls: { default: "32", check: "integer >= 1" },
  reconnectDelay: { default: "500 ms", check: "positive number" },
  maxReconnectDelay: { default: "30 000 ms", check: "ms >= reconnectDelay" },
  logger: { default: 'createClientLogger("eph:host")', check: "{ error, warning, info, verbose }" },
  meterProvider: { default: "the global provider", check: "object with getMeter()" },
  tracerProvider: { default: "the global provider", check: "object with getTracer()" },
  clock: { default: "system clock", check: "{ now, setTimeout, clearTimeout }" },
  random: { default: "Math.random", check: "function" },
  abortSignal: { default: "", check: "AbortSignal" },
  handleSignals: { default: "false", check: "boolean" },
  onError: { default: "", check: "function" },
  onPartitionOpened: { default: "", check: "function" },
  onPartitionClosed: { default: "", check: "function" },
  onRebalance: { default: "", check: "function" },
} as const satisfies { readonly [K in keyof Required<EventProcessorHostOptions>]: HostOptionSpec };

const knownOptions: ReadonlySet<string> = new Set(Object.keys(hostOptionSpecs));

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
  if (onHandlerFailure !== "stopPartition" && onHandlerFailure !== "skipEvent" && onHandlerFailure !== "deadLetter") {
    invalid('Option "onHandlerFailure" must be "stopPartition", "skipEvent" or "deadLetter".');
  }
  const deadLetterStore =
    o.deadLetterStore === undefined
      ? undefined
      : checkClient<DeadLetterStore>(
          o.deadLetterStore,
          ["setEventProcessorHost", "ensureStore", "add"],
          'Option "deadLetterStore" must be a DeadLetterStore',
        );
  if (onHandlerFailure === "deadLetter" && deadLetterStore === undefined) {
    invalid('Option "onHandlerFailure" is "deadLetter" but no "deadLetterStore" is given.');
  }

  const onInvalidPosition = o.onInvalidPosition ?? "earliest";
  if (onInvalidPosition !== "earliest" && onInvalidPosition !== "latest" && onInvalidPosition !== "stop") {
    invalid('Option "onInvalidPosition" must be "earliest", "latest" or "stop".');
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
    handlerTimeout: o.handlerTimeout === undefined ? undefined : duration("handlerTimeout", o.handlerTimeout, 0),
    concurrency: integer("concurrency", o.concurrency, 1, 1),
    maxInFlightEvents:
      o.maxInFlightEvents === undefined ? undefined : integer("maxInFlightEvents", o.maxInFlightEvents, 1, 1),
    deadLetterStore,
    onInvalidPosition,
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
