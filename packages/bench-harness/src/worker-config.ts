/** Lease timing shared by both sides of a comparison (ms). */
export interface LeaseTiming {
  /** eph `leaseDuration`; the official `partitionOwnershipExpirationIntervalInMs`. */
  readonly leaseDuration: number;
  /** eph `renewalInterval` and `scanInterval`; the official `updateIntervalInMs` (it claims and renews per cycle). */
  readonly interval: number;
  /**
   * eph only: deadline of one store call (`operationTimeout`). The official processor has no such
   * deadline. eph's default, a quarter of the renewal interval, is 2.5 s at the default timing.
   */
  readonly operationTimeout?: number;
}

/** Where an eph worker keeps its leases and checkpoints. */
export interface EphStoreConfig {
  /** `blob`: @eph/leaser-blob + @eph/checkpointer-blob; `table`: the table stores. */
  readonly kind: "blob" | "table";
  /** Storage connection string for the leaser (usually through a counting proxy). */
  readonly leaseConnectionString: string;
  /** Storage connection string for the checkpointer. */
  readonly checkpointConnectionString: string;
  /** Container or table of the leases. */
  readonly leaseContainer: string;
  /** Container or table of the checkpoints. */
  readonly checkpointContainer: string;
}

/** What a worker process runs. */
export type WorkerKind =
  /** An eph EventProcessorHost. */
  | "eph"
  /** EventHubConsumerClient.subscribe with the official BlobCheckpointStore. */
  | "official"
  /** EventHubConsumerClient.subscribe without a checkpoint store: every partition, no checkpoints. */
  | "raw"
  /**
   * The raw client reading each partition the way an eph host's receivers do (one subscription per
   * partition, owner level, prefetch 300, last-enqueued tracking), without checkpoints or a host:
   * separates the cost of those client settings from the host's own.
   */
  | "raw-eph-receivers";

/** Everything a worker process needs, passed in the `EPH_BENCH_WORKER` environment variable as JSON. */
export interface WorkerConfig {
  readonly kind: WorkerKind;
  /** Unique name: the eph host name, the official owner id, and the delivery log's identity. */
  readonly name: string;
  /** Event Hubs connection string naming the hub (the emulator's). */
  readonly hubConnectionString: string;
  readonly consumerGroup: string;
  readonly timing: LeaseTiming;
  readonly maxBatchSize: number;
  readonly maxWaitTimeInSeconds: number;
  /** eph stores (kind `eph`). */
  readonly eph?: EphStoreConfig;
  /**
   * eph only: record OpenTelemetry data into the SDK with in-memory exporters: `metrics`, or `traces`
   * (metrics and a span per event). Absent: no SDK, the host's no-op path.
   */
  readonly otel?: "metrics" | "traces";
  /** eph only: one batch handler (batches of `maxBatchSize`) instead of the per-event handler. */
  readonly batchHandler?: boolean;
  /** The official store (kind `official`). */
  readonly official?: {
    readonly strategy: "balanced" | "greedy";
    readonly connectionString: string;
    readonly container: string;
  };
  /**
   * `log`: every handled event is appended synchronously to `logFile` before the handler returns (so a
   * SIGKILL loses nothing the host could have checkpointed). `count`: events are only counted, and
   * `done` is reported once `expectedEvents` were handled (throughput runs).
   */
  readonly record: "log" | "count";
  /** Delivery log file (always written: ownership changes go there in both modes). */
  readonly logFile: string;
  /** For `count`: report `done` after this many events. */
  readonly expectedEvents?: number;
  /** How often the worker reports its health (ms). */
  readonly healthEveryMs: number;
  /**
   * Start reading as soon as the process runs, without waiting for the parent's `go` (the
   * spawn-to-first-event measurement): the clients are created and started in one go, as an
   * application would.
   */
  readonly startOnSpawn?: boolean;
}

/**
 * Milestones of a worker's start-up (`Date.now()`, the clock every process shares), for the
 * spawn-to-first-event measurement. Undefined where the side has no such step.
 */
export interface StartupMarks {
  /** The side's modules were imported (the process began running JavaScript at `performance.timeOrigin`). */
  readonly loaded: number;
  /** The clients (and for eph the host, which reads the partition ids) were created. */
  readonly created: number;
  /** eph: `startNonBlocking` resolved (stores ready, first scan done). */
  readonly started: number | undefined;
  /** The first partition was opened (eph `onPartitionOpened`, official `processInitialize`). */
  readonly opened: number | undefined;
  /** eph: the first lease was acquired. */
  readonly acquired: number | undefined;
  /** When the process began (its `performance.timeOrigin`). */
  readonly processStart: number;
}

/** Messages from a worker to the parent. */
export type WorkerMessage =
  | {
      readonly t: "ready";
      readonly at: number;
      /** eph: the scope its records are kept under (namespace, hub, consumer group), to read them back. */
      readonly scope?: {
        readonly fullyQualifiedNamespace: string;
        readonly eventHubName: string;
        readonly consumerGroup: string;
      };
    }
  | { readonly t: "started"; readonly at: number }
  | {
      readonly t: "health";
      readonly at: number;
      readonly rss: number;
      readonly heapUsed: number;
      readonly reading: readonly string[];
      readonly errors: number;
      readonly events: number;
      /** Longest event-loop delay since the previous report (ms): how late timers and I/O ran. */
      readonly loopDelayMaxMs: number;
      /** CPU time (user + system) the process used since it was started, in ms. */
      readonly cpuMs: number;
      /** Errors reported so far, by `<operation>/<code>`. */
      readonly errorsByKind: Readonly<Record<string, number>>;
    }
  | {
      readonly t: "done";
      readonly at: number;
      readonly count: number;
      readonly firstAt: number;
      /** When 10 % and 90 % of the expected events had been handled: the steady-state rate lies between. */
      readonly at10: number;
      readonly at90: number;
      /** CPU time (user + system) the process used since it was started, in ms. */
      readonly cpuMs: number;
      /** CPU time (ms) between `at10` and `at90`: per-event cost without start-up and tail. */
      readonly steadyCpuMs: number;
      /** Share of the time since start its event loop was busy (0..1). */
      readonly eventLoopUtilization: number;
      /** Start-up milestones (with `startOnSpawn`). */
      readonly marks?: StartupMarks;
    }
  | {
      readonly t: "closed";
      readonly at: number;
      /** Errors reported over the whole life of the worker, close included, by `<operation>/<code>`. */
      readonly errorsByKind: Readonly<Record<string, number>>;
    }
  | { readonly t: "failed"; readonly message: string };

/** Messages from the parent to a worker. */
export type ParentMessage = { readonly t: "go" } | { readonly t: "close" };

/** Name of the environment variable holding the worker's configuration. */
export const WORKER_CONFIG_ENV = "EPH_BENCH_WORKER";
