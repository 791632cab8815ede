import { randomUUID } from "node:crypto";
import {
  isNamedKeyCredential,
  isSASCredential,
  isTokenCredential,
  type NamedKeyCredential,
  type SASCredential,
  type TokenCredential,
} from "@azure/core-auth";
import { EventHubConsumerClient } from "@azure/event-hubs";
import { createClientLogger } from "@azure/logger";
import {
  Balancer,
  type Checkpointer,
  EphError,
  type HandlerID,
  type HostInfo,
  isEphError,
  type Leaser,
  type Logger,
  type LossReason,
  type OwnedPartition,
  type ScanReport,
  StoreCallQueue,
  withDeadline,
} from "@eph/core";
import { bannerText } from "./banner.js";
import type { RegisteredBatchHandler } from "./batch-buffer.js";
import {
  type BatchHandler,
  type BatchHandlerOptions,
  type ResolvedBatchOptions,
  resolveBatchOptions,
} from "./batch-handler.js";
import { consumerClientOptions } from "./client-options.js";
import { parseConnectionString } from "./connection-string.js";
import { qualifyNamespace } from "./environment.js";
import type { EventHandler } from "./handler.js";
import type { HostHealth } from "./health.js";
import type { HostErrorInfo, PartitionClosedInfo, PartitionCloseReason, PartitionOpenedInfo } from "./host-events.js";
import { type HostMetrics, noHostMetrics, type OwnershipChange } from "./host-metrics.js";
import { type EventProcessorHostOptions, type ResolvedHostOptions, resolveHostOptions } from "./host-options.js";
import { InFlightEvents } from "./in-flight-events.js";
import { ObservedLeaser } from "./observed-leaser.js";
import { loadHostMetrics, type MetricsSource } from "./otel-metrics.js";
import { type HostTracing, loadHostTracing, noHostTracing } from "./otel-tracing.js";
import { PartitionWorker, settleWithin, type WorkerEnvironment } from "./partition-worker.js";
import { describeError, redact } from "./redaction.js";

/** A registered handler: a per-event one, or a batch one with its options. */
type RegisteredHandlerEntry =
  | { readonly kind: "event"; readonly handler: EventHandler }
  | { readonly kind: "batch"; readonly handler: BatchHandler; readonly options: ResolvedBatchOptions };

/** A credential `create` accepts: Microsoft Entra ID (`DefaultAzureCredential`…), a named key, or a SAS. */
export type EventHubsCredential = TokenCredential | NamedKeyCredential | SASCredential;

type HostState = HostHealth["state"];

const leaserMethods = [
  "setEventProcessorHost",
  "ensureStore",
  "getLeases",
  "ensureLease",
  "acquireLease",
  "renewLease",
  "releaseLease",
] as const;
const checkpointerMethods = ["setEventProcessorHost", "ensureStore", "ensureCheckpoint", "updateCheckpoint"] as const;
const hubName = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,254}[A-Za-z0-9])?$/;
/** Deadline of the calls made while creating a host (reading the hub) and closing its connection. */
const connectTimeout = 60_000;

interface HostInit {
  readonly client: EventHubConsumerClient;
  readonly fullyQualifiedNamespace: string;
  readonly eventHubName: string;
  readonly options: ResolvedHostOptions;
  readonly leaser: Leaser;
  readonly checkpointer: Checkpointer;
  readonly secrets: readonly string[];
  readonly credentialKind: "connection string" | "credential";
}

/**
 * Shares the partitions of one event hub among every host that runs with the same hub, consumer group
 * and stores: each host holds leases on a fair share of the partitions, reads them with ONE AMQP
 * connection, hands every event to every registered handler and checkpoints the positions.
 *
 * Create with {@link EventProcessorHost.create} or {@link EventProcessorHost.fromConnectionString},
 * register handlers, then `start()` (runs until closed) or `startNonBlocking()`.
 */
export class EventProcessorHost {
  /** Fully qualified namespace, e.g. `contoso.servicebus.windows.net`. */
  readonly fullyQualifiedNamespace: string;
  /** The event hub read. */
  readonly eventHubName: string;
  /** The consumer group read with. */
  readonly consumerGroup: string;

  private state: HostState = "created";
  private readonly client: EventHubConsumerClient;
  private readonly options: ResolvedHostOptions;
  private readonly log: Logger;
  private readonly leaser: ObservedLeaser;
  private readonly checkpointer: Checkpointer;
  private readonly secrets: readonly string[];
  /** Every registered handler, per-event and batch, in registration order. */
  private readonly handlers = new Map<HandlerID, RegisteredHandlerEntry>();
  /** The per-event handlers as a list, built on first use after a change (read once per event). */
  private handlerList: ReadonlyArray<readonly [HandlerID, EventHandler]> | undefined;
  /** The batch handlers as a list, built on first use after a change. */
  private batchList: readonly RegisteredBatchHandler[] | undefined;
  private readonly workers = new Map<string, PartitionWorker>();
  private readonly retiring = new Map<string, Promise<void>>();
  private readonly env: WorkerEnvironment;
  private balancer: Balancer | undefined;
  private partitionIds: readonly string[] = [];
  /** When `partitionIds` were read (the host's clock); the first scan uses the ids read at creation. */
  private partitionIdsReadAt = Number.NEGATIVE_INFINITY;
  private closing: Promise<void> | undefined;
  private resolveClosed: () => void = () => undefined;
  private readonly closed: Promise<void>;
  private errorCount = 0;
  private eventCount = 0;
  private lastScan: ScanReport | undefined;
  /** Where metrics go: OpenTelemetry once loaded (see `open`), nowhere before. */
  private metrics: HostMetrics = noHostMetrics;
  /** Where spans go: OpenTelemetry once loaded (see `open`), nowhere before. */
  private tracing: HostTracing = noHostTracing;
  /** Whether both stores existed when the host was created (and when that was known, the host's clock). */
  private storesFound = { both: false, at: Number.NEGATIVE_INFINITY };
  private readonly detachers: (() => void)[] = [];
  /** Every call of this host to its stores, paced and prioritised together. */
  private readonly storeCalls: StoreCallQueue;
  /** Leases released since the host started closing. */
  private readonly releasedAtClose = new Set<string>();
  /** The `maxInFlightEvents` cap, when set. */
  private readonly inFlight: InFlightEvents | undefined;
  /** While closing: the time by which `close()` must be done. */
  private closeDeadline = Number.POSITIVE_INFINITY;

  private constructor(init: HostInit) {
    this.client = init.client;
    this.fullyQualifiedNamespace = init.fullyQualifiedNamespace;
    this.eventHubName = init.eventHubName;
    this.options = init.options;
    this.consumerGroup = init.options.consumerGroup;
    this.secrets = init.secrets;
    this.log = init.options.logger ?? createClientLogger("eph:host");
    this.checkpointer = init.checkpointer;
    this.storeCalls = new StoreCallQueue({
      clock: init.options.clock,
      maxConcurrentCalls: init.options.timing.maxConcurrentCalls,
    });
    this.leaser = new ObservedLeaser(
      init.leaser,
      (operation, partitionId, error) =>
        this.reportError({
          operation: "lease",
          ...(partitionId === undefined ? {} : { partitionId }),
          error: scrubbed(error, this.secrets, operation),
          willRetry: true,
        }),
      (partitionId) => {
        if (this.state === "closing") this.releasedAtClose.add(partitionId);
      },
      {
        now: () => this.options.clock.now(),
        record: (partitionId, ms, ok) => this.metrics.leaseRenewal(partitionId, ms, ok),
      },
    );
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    const cap = init.options.maxInFlightEvents;
    this.inFlight =
      cap === undefined
        ? undefined
        : new InFlightEvents(cap, () => {
            for (const worker of this.workers.values()) worker.relievePressure();
          });
    this.env = {
      inFlight: this.inFlight,
      reader: this.client,
      checkpointer: this.checkpointer,
      storeCalls: this.storeCalls,
      leases: {
        verifyLease: (pid) => this.balancer?.verifyLease(pid) ?? Promise.resolve(false),
        isOwned: (pid) => this.balancer?.isOwned(pid) ?? false,
      },
      options: this.options,
      // Rebuilt only when handlers change, so dispatching an event allocates no copy of the list.
      handlers: () => (this.handlerList ??= this.handlerEntries()),
      batchHandlers: () => (this.batchList ??= this.batchEntries()),
      log: this.log,
      secrets: this.secrets,
      reportError: (info) => this.reportError(info),
      opened: (info) => this.notify("onPartitionOpened", info),
      closed: (info) => this.notify("onPartitionClosed", info),
      metrics: () => this.metrics,
      tracing: () => this.tracing,
      countEvent: (partitionId) => {
        this.eventCount++;
        this.metrics.eventHandled(partitionId);
      },
      drainTimeout: () =>
        Math.min(this.options.drainTimeout, Math.max(0, this.drainDeadline() - this.options.clock.now())),
    };
  }

  /**
   * Creates a host for `hubName` in `namespace` (a bare name such as `contoso`, completed with the
   * environment's suffix, or a host name), authenticating with `credential`. Validates every argument
   * and option, and reads the hub's partitions, before returning: a bad option, an unknown hub or a
   * refused credential is a typed `EphError` here, never a failure after start. The seed's `New`.
   */
  static async create(
    namespace: string,
    hubName: string,
    credential: EventHubsCredential,
    leaser: Leaser,
    checkpointer: Checkpointer,
    options?: EventProcessorHostOptions,
  ): Promise<EventProcessorHost> {
    const resolved = resolveHostOptions(options);
    const fullyQualifiedNamespace = qualifyNamespace(namespace, resolved.environment);
    validateHubName(hubName, 'Argument "hubName"');
    if (!isTokenCredential(credential) && !isNamedKeyCredential(credential) && !isSASCredential(credential)) {
      throw new EphError(
        "InvalidOption",
        'Argument "credential" must be a TokenCredential (e.g. DefaultAzureCredential), an AzureNamedKeyCredential or an AzureSASCredential.',
      );
    }
    validateStores(leaser, checkpointer);
    const secrets = isNamedKeyCredential(credential)
      ? [credential.key]
      : isSASCredential(credential)
        ? [credential.signature]
        : [];
    let client: EventHubConsumerClient;
    try {
      client = new EventHubConsumerClient(
        resolved.consumerGroup,
        fullyQualifiedNamespace,
        hubName,
        credential,
        consumerClientOptions(resolved.client),
      );
    } catch (error) {
      throw new EphError(
        "InvalidOption",
        `The Event Hubs client refused its settings: ${describeError(error, secrets)}`,
      );
    }
    return EventProcessorHost.open({
      client,
      fullyQualifiedNamespace,
      eventHubName: hubName,
      options: resolved,
      leaser,
      checkpointer,
      secrets,
      credentialKind: "credential",
    });
  }

  /**
   * Creates a host from an Event Hubs connection string that names the hub (`EntityPath`). Validates
   * the string, every option and the hub (it must exist and accept the key) before returning. Errors
   * never quote the key or signature. The seed's `NewFromConnectionString`.
   */
  static async fromConnectionString(
    connectionString: string,
    leaser: Leaser,
    checkpointer: Checkpointer,
    options?: EventProcessorHostOptions,
  ): Promise<EventProcessorHost> {
    const resolved = resolveHostOptions(options);
    const parsed = parseConnectionString(connectionString);
    validateStores(leaser, checkpointer);
    let client: EventHubConsumerClient;
    try {
      client = new EventHubConsumerClient(
        resolved.consumerGroup,
        parsed.canonical,
        consumerClientOptions(resolved.client),
      );
    } catch (error) {
      throw new EphError(
        "InvalidConnectionString",
        `The Event Hubs client refused the connection string: ${describeError(error, parsed.secrets)}`,
      );
    }
    return EventProcessorHost.open({
      client,
      fullyQualifiedNamespace: parsed.fullyQualifiedNamespace,
      eventHubName: parsed.eventHubName,
      options: resolved,
      leaser,
      checkpointer,
      secrets: parsed.secrets,
      credentialKind: "connection string",
    });
  }

  private static async open(init: HostInit): Promise<EventProcessorHost> {
    const { client, options } = init;
    const host = new EventProcessorHost(init);
    const info: HostInfo = {
      hostName: options.hostName,
      fullyQualifiedNamespace: init.fullyQualifiedNamespace,
      eventHubName: init.eventHubName,
      consumerGroup: options.consumerGroup,
    };
    host.leaser.setEventProcessorHost(info);
    init.checkpointer.setEventProcessorHost(info);
    options.deadLetterStore?.setEventProcessorHost(info);
    // While the hub is read (connection, authentication, one management call), what does not need it
    // is done too: loading OpenTelemetry and asking both stores whether they exist (read-only; a
    // start soon after skips provisioning stores that do). Time to the first event, issue 12 §4.
    const probe = (store: Leaser | Checkpointer, what: string) =>
      withDeadline(options.clock, connectTimeout, (abortSignal) => store.storeExists({ abortSignal }), what).catch(
        () => false,
      );
    // Not awaited: a slow or unreachable store must not delay creation nor a hub error; the answer
    // counts only if it arrives before start() asks.
    void Promise.all([probe(host.leaser, "Lease store"), probe(init.checkpointer, "Checkpoint store")]).then(
      (found) => {
        host.storesFound = { both: found.every(Boolean), at: options.clock.now() };
      },
    );
    const observability = Promise.all([
      loadHostMetrics(host.metricsSource(), options.meterProvider),
      loadHostTracing(host.metricsSource(), options.tracerProvider),
    ]);
    let ids: string[];
    try {
      ids = await withDeadline(
        options.clock,
        connectTimeout,
        (abortSignal) => client.getPartitionIds({ abortSignal }),
        `Reading the partitions of ${init.eventHubName}`,
      );
    } catch (error) {
      await withDeadline(options.clock, connectTimeout, () => client.close(), "Closing the client").catch(
        () => undefined,
      );
      throw connectError(error, init);
    }
    host.partitionIds = ids;
    host.partitionIdsReadAt = options.clock.now();
    [host.metrics, host.tracing] = await observability;
    return host;
  }

  /** This host's name: the owner written in its leases. */
  getName(): string {
    return this.options.hostName;
  }

  /** The hub's partition ids as last read (at creation, then at every scan). */
  getPartitionIds(): string[] {
    return [...this.partitionIds];
  }

  /** Partitions whose receiver is open and delivering events to the handlers now. */
  partitionIdsBeingProcessed(): string[] {
    return [...this.workers.values()]
      .filter((w) => w.isReceiving)
      .map((w) => w.partitionId)
      .sort(byPartitionId);
  }

  /**
   * Registers a handler; it receives every event from now on (every handler receives every event).
   * Returns its id, a UUID.
   */
  registerHandler(handler: EventHandler): HandlerID {
    if (typeof handler !== "function") {
      throw new EphError("InvalidOption", 'Argument "handler" must be a function (event, context) => Promise<void>.');
    }
    return this.register({ kind: "event", handler });
  }

  /**
   * Registers a batch handler: it receives every event from now on, in batches of one partition's
   * events, in order, one batch at a time. A batch is delivered when it holds `maxBatchSize` events; or
   * when it holds at least `minBatchSize` and no more events are waiting; or, with fewer, once
   * `maxWaitTimeInSeconds` have passed since its first event; or when the partition is closing (close,
   * handoff, lost lease). Never an empty batch. The checkpoint passes an event only once every handler,
   * per-event and batch, is done with it. Returns its id, a UUID.
   */
  registerBatchHandler(handler: BatchHandler, options?: BatchHandlerOptions): HandlerID {
    if (typeof handler !== "function") {
      throw new EphError(
        "InvalidOption",
        'Argument "handler" of registerBatchHandler must be a function (events, context) => Promise<void>.',
      );
    }
    const resolved = resolveBatchOptions(options);
    return this.register({ kind: "batch", handler, options: resolved });
  }

  private register(entry: RegisteredHandlerEntry): HandlerID {
    if (this.state === "closing" || this.state === "closed") {
      throw new EphError("Closed", `Host ${this.getName()} is closed; handlers cannot be registered.`);
    }
    const id = randomUUID();
    this.handlers.set(id, entry);
    this.handlerList = undefined;
    this.batchList = undefined;
    return id;
  }

  /** Ids of the registered handlers, in registration order. */
  registeredHandlerIds(): HandlerID[] {
    return [...this.handlers.keys()];
  }

  /**
   * Removes a handler. Removing the last one closes the host, as in the seed; the promise then
   * resolves once the host is closed.
   */
  async unregisterHandler(id: HandlerID): Promise<void> {
    if (!this.handlers.delete(id)) return;
    this.handlerList = undefined;
    this.batchList = undefined;
    if (this.handlers.size === 0 && this.state !== "closed") await this.close();
  }

  /**
   * Starts the host and runs until it is closed (by `close()`, the last `unregisterHandler`, the
   * `abortSignal` option, or SIGINT/SIGTERM with `handleSignals`), then resolves. Rejects if the host
   * cannot start (no handler registered, stores unreachable).
   */
  async start(): Promise<void> {
    await this.startNonBlocking();
    await this.closed;
  }

  /** Starts the host and resolves once it is running: stores ready and the first lease scan done. */
  async startNonBlocking(): Promise<void> {
    if (this.state === "closing" || this.state === "closed") {
      throw new EphError("Closed", `Host ${this.getName()} is closed; create a new one.`);
    }
    if (this.state !== "created") throw new EphError("Closed", `Host ${this.getName()} was already started.`);
    if (this.handlers.size === 0) {
      throw new EphError("InvalidOption", "Register a handler with registerHandler() before starting the host.");
    }
    this.state = "starting";
    const o = this.options;
    if (o.abortSignal?.aborted) {
      await this.close();
      return;
    }
    this.attachStopTriggers();
    if (!o.noBanner) {
      const text = bannerText(this.getName(), this.fullyQualifiedNamespace, this.eventHubName, this.consumerGroup);
      if (o.bannerOutput) o.bannerOutput.write(text);
      else this.log.info(text);
    }
    // Both stores were found at creation less than a scan interval ago: nothing to provision (a store
    // deleted in between is one deleted while running: the scan recreates a missing lease store).
    const found = this.storesFound.both && o.clock.now() - this.storesFound.at < o.timing.scanInterval;
    try {
      if (!found) {
        await Promise.all([
          this.storeCalls.run({ priority: "take", what: "Lease store", timeout: connectTimeout }, (abortSignal) =>
            this.leaser.ensureStore({ abortSignal }),
          ),
          this.storeCalls.run({ priority: "take", what: "Checkpoint store", timeout: connectTimeout }, (abortSignal) =>
            this.checkpointer.ensureStore({ abortSignal }),
          ),
        ]);
      }
      const deadLetters = o.deadLetterStore;
      if (deadLetters !== undefined) {
        await withDeadline(
          o.clock,
          connectTimeout,
          (abortSignal) => deadLetters.ensureStore({ abortSignal }),
          "Dead-letter store",
        );
      }
    } catch (error) {
      await this.close();
      throw error;
    }
    if (this.state !== "starting") return;
    this.balancer = new Balancer({
      leaser: this.leaser,
      hostName: o.hostName,
      partitionIds: () => this.refreshPartitionIds(),
      leaseDuration: o.timing.leaseDuration,
      renewalInterval: o.timing.renewalInterval,
      scanInterval: o.timing.scanInterval,
      operationTimeout: o.timing.operationTimeout,
      storeCalls: this.storeCalls,
      clock: o.clock,
      random: o.random,
      logger: this.log,
      onAcquired: (partition) => this.acquired(partition),
      onLost: (partitionId, reason) => this.lost(partitionId, reason),
      onScan: (report) => this.scanned(report),
      leaseUpkeep: o.timing.leaseUpkeep,
      onFatal: (error) => {
        // Another live process uses this host name: sharing its leases would duplicate every event.
        this.reportError({ operation: "lease", error, willRetry: false });
        void this.close();
      },
    });
    this.balancer.start();
    this.state = "running";
    await this.balancer.scanNow();
  }

  /**
   * Closes the host: stops taking partitions, drains the events in flight (up to `drainTimeout`),
   * checkpoints, releases every lease so other hosts take over at their next scan, and closes the
   * connection. Always resolves, within `closeTimeout`; idempotent. A final checkpoint or release that
   * `closeTimeout` cut short is reported through `onError` (operation `"close"`, code `"Aborted"`) and
   * in one warning log line. Does not close the leaser and checkpointer you passed.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** A snapshot of what the host is doing: leases, receivers, counters, lag, last errors. */
  health(): HostHealth {
    const partitions = [...this.workers.values()]
      .map((w) => w.health())
      .sort((a, b) => byPartitionId(a.partitionId, b.partitionId));
    return {
      hostName: this.getName(),
      state: this.state,
      at: this.options.clock.now(),
      leasesHeld: this.balancer?.ownedPartitions().length ?? 0,
      partitionsReceiving: partitions.filter((p) => p.state === "receiving").length,
      eventsProcessed: this.eventCount,
      eventsInFlight: this.inFlight?.count,
      errors: this.errorCount,
      lastScanAt: this.lastScan?.at,
      hosts: this.lastScan?.hosts,
      scanInterval: this.options.timing.scanInterval,
      partitions,
    };
  }

  private async shutdown(): Promise<void> {
    const wasStarted = this.state !== "created";
    const clock = this.options.clock;
    this.closeDeadline = clock.now() + this.options.closeTimeout;
    this.state = "closing";
    for (const detach of this.detachers.splice(0)) detach();
    const owned = this.balancer?.ownedPartitions().map((p) => p.partitionId) ?? [];
    const letGo = (async () => {
      try {
        await this.balancer?.stop();
      } catch (error) {
        this.reportError({ operation: "close", error, willRetry: false });
      }
      await Promise.allSettled([...this.workers.values()].map((w) => w.stop("shutdown")));
      await Promise.allSettled([...this.retiring.values()]);
    })();
    if (!(await settleWithin(clock, letGo, this.closeDeadline - clock.now()))) this.reportCutShort(owned);
    const closing = withDeadline(clock, connectTimeout, () => this.client.close(), "Closing the connection").catch(
      (error: unknown) =>
        this.reportError({
          operation: "close",
          error: scrubbed(error, this.secrets, "Closing the Event Hubs connection", "HubUnavailable"),
          willRetry: false,
        }),
    );
    if (!(await settleWithin(clock, closing, Math.max(0, this.closeDeadline - clock.now())))) {
      this.reportError({
        operation: "close",
        error: new EphError(
          "Aborted",
          `closeTimeout (${this.options.closeTimeout} ms) ran out before the connection was closed.`,
        ),
        willRetry: false,
      });
    }
    this.state = "closed";
    this.metrics.close();
    if (wasStarted) this.log.info(`eph: host ${this.getName()} closed`);
    this.resolveClosed();
  }

  /** Until when a stopping partition may wait for its handler: the rest of close needs the time after. */
  private drainDeadline(): number {
    const { closeTimeout, timing } = this.options;
    return this.closeDeadline - Math.min(closeTimeout / 2, 4 * timing.operationTimeout);
  }

  /**
   * `closeTimeout` ran out: every store call still queued or in flight is abandoned now (the process is
   * about to go), and each final checkpoint not stored and lease not released is reported.
   */
  private reportCutShort(owned: readonly string[]): void {
    const limit = `closeTimeout (${this.options.closeTimeout} ms)`;
    const reason = new EphError("Aborted", `${limit} ran out.`);
    this.storeCalls.close(reason);
    const unstored = owned.filter((id) => this.workers.get(id)?.finalCheckpointState === "pending").sort(byPartitionId);
    const unreleased = owned.filter((id) => !this.releasedAtClose.has(id)).sort(byPartitionId);
    for (const partitionId of unstored) {
      this.reportError({
        operation: "close",
        partitionId,
        error: new EphError(
          "Aborted",
          `${limit} ran out before the final checkpoint of partition ${partitionId} was stored; its events since the last stored one will be read again.`,
          { partitionId },
        ),
        willRetry: false,
      });
    }
    for (const partitionId of unreleased) {
      this.reportError({
        operation: "close",
        partitionId,
        error: new EphError(
          "Aborted",
          `${limit} ran out before the lease of partition ${partitionId} was released; other hosts take it when it expires.`,
          { partitionId },
        ),
        willRetry: false,
      });
    }
    this.log.warning(
      `eph: close of host ${this.getName()} cut short by ${limit}: ${unstored.length} of ${owned.length} final checkpoints not stored${list(unstored)}, ${unreleased.length} leases not released${list(unreleased)}`,
    );
  }

  private attachStopTriggers(): void {
    const signal = this.options.abortSignal;
    if (signal) {
      const onAbort = () => void this.close();
      signal.addEventListener("abort", onAbort, { once: true });
      this.detachers.push(() => signal.removeEventListener("abort", onAbort));
    }
    if (this.options.handleSignals) {
      const onSignal = () => void this.close();
      for (const name of ["SIGINT", "SIGTERM"] as const) {
        process.on(name, onSignal);
        this.detachers.push(() => process.off(name, onSignal));
      }
    }
  }

  private async refreshPartitionIds(): Promise<readonly string[]> {
    // Read less than a scan interval ago (at creation, just before the first scan): no second round trip.
    if (this.options.clock.now() - this.partitionIdsReadAt < this.options.timing.scanInterval) return this.partitionIds;
    try {
      const ids = await withDeadline(
        this.options.clock,
        Math.max(this.options.timing.operationTimeout, 5000),
        (abortSignal) => this.client.getPartitionIds({ abortSignal }),
        "Reading the partition ids",
      );
      this.partitionIds = ids;
      this.partitionIdsReadAt = this.options.clock.now();
      return ids;
    } catch (error) {
      const safe = scrubbed(error, this.secrets, "getPartitionIds", "HubUnavailable");
      this.reportError({ operation: "partitionIds", error: safe, willRetry: true });
      throw safe;
    }
  }

  private acquired(partition: OwnedPartition): void {
    const { partitionId, epoch } = partition;
    if (this.state !== "running" && this.state !== "starting") {
      throw new EphError("Closed", `Host ${this.getName()} is closing.`);
    }
    // Epoch 0 as owner level would send no epoch at all, and the receiver would not be exclusive.
    if (!Number.isSafeInteger(epoch) || epoch < 1) {
      throw new EphError("CorruptRecord", `The lease of partition ${partitionId} has epoch ${epoch}; expected >= 1.`, {
        partitionId,
      });
    }
    // Taken from a live owner (or from an earlier life of this host): it may still be reading, so the
    // worker gives it time to checkpoint and let go before reading (no duplicates on planned moves).
    const previousOwner = partition.stolenFrom === "" ? undefined : partition.stolenFrom;
    const worker = new PartitionWorker(this.env, partitionId, epoch, previousOwner);
    this.workers.set(partitionId, worker);
    const retiring = this.retiring.get(partitionId);
    // The client allows one subscription per partition: the previous reader must be gone first.
    if (retiring) void retiring.then(() => this.workers.get(partitionId) === worker && worker.start());
    else worker.start();
  }

  private async lost(partitionId: string, reason: LossReason): Promise<void> {
    const worker = this.workers.get(partitionId);
    if (!worker) return;
    // The worker stays listed (health shows it "stopping") until it has drained and flushed.
    const stopping = worker.stop(reason);
    this.retiring.set(partitionId, stopping);
    try {
      await stopping;
    } finally {
      if (this.retiring.get(partitionId) === stopping) this.retiring.delete(partitionId);
      if (this.workers.get(partitionId) === worker) this.workers.delete(partitionId);
    }
  }

  private scanned(report: ScanReport): void {
    this.lastScan = report;
    if (report.acquired.length > 0) this.notify("onRebalance", report);
  }

  private reportError(info: HostErrorInfo): void {
    this.errorCount++;
    const where = info.partitionId === undefined ? "" : ` (partition ${info.partitionId})`;
    const message = `eph: ${info.operation} error${where}${info.willRetry ? ", will retry" : ""}: ${describeError(info.error, this.secrets)}`;
    if (info.willRetry) this.log.warning(message);
    else this.log.error(message);
    const callback = this.options.onError;
    if (!callback) return;
    try {
      callback(info);
    } catch (error) {
      this.log.error(`eph: onError threw: ${describeError(error, this.secrets)}`);
    }
  }

  /** The registered batch handlers. */
  private batchEntries(): RegisteredBatchHandler[] {
    const entries: RegisteredBatchHandler[] = [];
    for (const [id, entry] of this.handlers) {
      if (entry.kind === "batch") entries.push({ id, handler: entry.handler, options: entry.options });
    }
    return entries;
  }

  /** The registered per-event handlers; timed one by one when metrics are recorded. */
  private handlerEntries(): [HandlerID, EventHandler][] {
    const entries: [HandlerID, EventHandler][] = [];
    for (const [id, entry] of this.handlers) if (entry.kind === "event") entries.push([id, entry.handler]);
    const metrics = this.metrics;
    if (!metrics.enabled) return entries;
    const clock = this.options.clock;
    return entries.map(([id, handler]): [HandlerID, EventHandler] => [
      id,
      (event, context) => {
        const started = clock.now();
        const done = (ok: boolean) => metrics.handlerCall(context.partitionId, clock.now() - started, ok);
        let result: void | Promise<void>;
        try {
          result = handler(event, context);
        } catch (error) {
          done(false);
          throw error;
        }
        if (!(result instanceof Promise)) {
          done(true);
          return result;
        }
        return result.then(
          () => done(true),
          (error: unknown) => {
            done(false);
            throw error;
          },
        );
      },
    ]);
  }

  private metricsSource(): MetricsSource {
    return {
      eventHubName: this.eventHubName,
      consumerGroup: this.consumerGroup,
      fullyQualifiedNamespace: this.fullyQualifiedNamespace,
      health: () => this.health(),
    };
  }

  private notify(name: "onPartitionOpened", info: PartitionOpenedInfo): void;
  private notify(name: "onPartitionClosed", info: PartitionClosedInfo): void;
  private notify(name: "onRebalance", info: ScanReport): void;
  private notify(
    name: "onPartitionOpened" | "onPartitionClosed" | "onRebalance",
    info: PartitionOpenedInfo | PartitionClosedInfo | ScanReport,
  ): void {
    if (name === "onPartitionOpened") {
      const i = info as PartitionOpenedInfo;
      this.metrics.ownershipChanged(i.partitionId, "acquired");
      this.log.info(`eph: ${this.getName()} reading partition ${i.partitionId} at epoch ${i.epoch}`);
    } else if (name === "onPartitionClosed") {
      const i = info as PartitionClosedInfo;
      this.metrics.ownershipChanged(i.partitionId, ownershipChangeOf[i.reason]);
      this.log.info(`eph: ${this.getName()} stopped reading partition ${i.partitionId} (${i.reason})`);
    }
    const callback = this.options[name] as ((value: typeof info) => void) | undefined;
    if (!callback) return;
    try {
      callback(info);
    } catch (error) {
      this.reportError({ operation: "callback", error, willRetry: false });
    }
  }
}

const ownershipChangeOf: Record<PartitionCloseReason, OwnershipChange> = {
  shutdown: "released",
  handoff: "handed_off",
  stolen: "stolen",
  lost: "lost",
  failed: "failed",
};

function validateHubName(name: unknown, what: string): void {
  if (typeof name !== "string" || !hubName.test(name)) {
    throw new EphError(
      "InvalidOption",
      `${what} must be an event hub name (letters, digits, ".", "-", "_"); got ${JSON.stringify(name)}.`,
    );
  }
}

function validateStores(leaser: unknown, checkpointer: unknown): void {
  for (const [what, value, methods] of [
    ["leaser", leaser, leaserMethods],
    ["checkpointer", checkpointer, checkpointerMethods],
  ] as const) {
    if (typeof value !== "object" || value === null) {
      throw new EphError("InvalidOption", `Argument "${what}" is required.`);
    }
    const missing = methods.find((m) => typeof (value as Record<string, unknown>)[m] !== "function");
    if (missing) {
      throw new EphError("InvalidOption", `Argument "${what}" must implement ${missing}().`);
    }
  }
}

/**
 * An error re-made with a scrubbed message (its own may quote a secret). One that is not an EphError gets
 * `code`: `HubUnavailable` for calls to Event Hubs, `StoreUnavailable` for calls to the stores.
 */
function scrubbed(
  error: unknown,
  secrets: readonly string[],
  operation: string,
  code: "HubUnavailable" | "StoreUnavailable" = "StoreUnavailable",
): unknown {
  if (error instanceof EphError) {
    const message = redact(error.message, secrets);
    return message === error.message ? error : new EphError(error.code, message);
  }
  return new EphError(code, `${operation} failed: ${describeError(error, secrets)}`);
}

function connectError(error: unknown, init: HostInit): EphError {
  const code = (error as { code?: unknown } | null)?.code;
  const custom = init.options.client.customEndpointAddress;
  const hub = `event hub "${init.eventHubName}"`;
  const namespace = `namespace "${init.fullyQualifiedNamespace}"`;
  const detail = describeError(error, init.secrets);
  const source =
    init.credentialKind === "connection string" ? "the connection string's EntityPath" : 'argument "hubName"';
  if (code === "MessagingEntityNotFoundError") {
    return new EphError("HubNotFound", `The ${hub} does not exist in ${namespace} (check ${source}): ${detail}`);
  }
  if (code === "UnauthorizedError") {
    return init.credentialKind === "connection string"
      ? new EphError(
          "InvalidConnectionString",
          `The ${hub} in ${namespace} refused the connection string's key (${detail}).`,
        )
      : new EphError("InvalidOption", `The ${hub} in ${namespace} refused the credential (${detail}).`);
  }
  if (isEphError(error) && error.code !== "StoreUnavailable") {
    return new EphError(error.code, redact(error.message, init.secrets));
  }
  // Refused, unresolved, reset or timed out (withDeadline's own timeout says StoreUnavailable): the
  // Event Hubs endpoint, not a store.
  const endpoint =
    custom === undefined
      ? `Event Hubs ${namespace}`
      : `Event Hubs at "${custom}" (option "customEndpointAddress", for ${namespace})`;
  return new EphError("HubUnavailable", `Could not reach ${endpoint} to read the ${hub}: ${detail}`);
}

const byPartitionId = new Intl.Collator("en", { numeric: true }).compare;

function list(ids: readonly string[]): string {
  if (ids.length === 0) return "";
  return ` (${ids.slice(0, 20).join(", ")}${ids.length > 20 ? ", …" : ""})`;
}
