import type {
  EventPosition,
  PartitionContext,
  ReceivedEventData,
  SubscribeOptions,
  Subscription,
  SubscriptionEventHandlers,
} from "@azure/event-hubs";
import {
  type Checkpoint,
  type Checkpointer,
  type Clock,
  type DeadLetterStore,
  delay,
  type EnsureCheckpointOptions,
  EphError,
  type HandlerID,
  type Logger,
  type LossReason,
  type StoreCallQueue,
  withDeadline,
} from "@eph/core";
import { backoffDelay } from "./backoff.js";
import type { RegisteredBatchHandler } from "./batch-buffer.js";
import { CheckpointWriter } from "./checkpoint-writer.js";
import { writeDeadLetter } from "./dead-lettering.js";
import { type DispatchOutcome, EventDispatcher, type HandlerPolicy } from "./event-dispatcher.js";
import type { EventHandler } from "./handler.js";
import type { PartitionHealth } from "./health.js";
import type { HostErrorInfo, PartitionClosedInfo, PartitionCloseReason, PartitionOpenedInfo } from "./host-events.js";
import type { HostMetrics } from "./host-metrics.js";
import type { ResolvedHostOptions } from "./host-options.js";
import type { InFlightEvents } from "./in-flight-events.js";
import { dispatchOrdered } from "./ordered-dispatch.js";
import type { HostTracing } from "./otel-tracing.js";
import { PartitionProgress } from "./partition-progress.js";
import {
  classifyPosition,
  invalidPositionError,
  isRefusedPosition,
  type PartitionRange,
  positionFor,
} from "./position-check.js";
import { describeError } from "./redaction.js";
import { RunningHandlers } from "./running-handlers.js";
import { afterCheckpoint, toEventPosition } from "./start-position.js";
import {
  initialPhase,
  isLive,
  nextPhase,
  partitionStateOf,
  recordsCompletions,
  type WorkerPhase,
  type WorkerSignal,
} from "./worker-lifecycle.js";

/** The part of `EventHubConsumerClient` a worker reads with: one subscription per partition. */
export interface PartitionReader {
  /** Starts reading one partition (the client's `subscribe(partitionId, handlers, options)`). */
  subscribe(partitionId: string, handlers: SubscriptionEventHandlers, options?: SubscribeOptions): Subscription;
  /**
   * The partition's runtime properties (the client's `getPartitionProperties`). Optional: with it, a store
   * that keeps a lag baseline for partitions never checkpointed (Blob, read by KEDA) can record one.
   */
  getPartitionProperties?(
    partitionId: string,
    options?: { abortSignal?: AbortSignal },
  ): Promise<{ readonly lastEnqueuedSequenceNumber: number; readonly beginningSequenceNumber?: number }>;
}

/** The balancer's view of the lease, as a worker needs it. */
export interface LeaseGuard {
  /** Confirms with the store that the lease is still held (a conditional renewal). */
  verifyLease(partitionId: string): Promise<boolean>;
  /** True while the lease is held and within its local deadline. */
  isOwned(partitionId: string): boolean;
}

/** The host options a worker reads. */
export type WorkerOptions = Pick<
  ResolvedHostOptions,
  | "clock"
  | "random"
  | "timing"
  | "initialPosition"
  | "maxBatchSize"
  | "prefetchCount"
  | "maxWaitTimeInSeconds"
  | "trackLastEnqueuedEventProperties"
  | "checkpoint"
  | "handlerRetry"
  | "onHandlerFailure"
  | "deadLetterStore"
  | "hostName"
  | "handlerTimeout"
  | "concurrency"
  | "onInvalidPosition"
  | "handoffTimeout"
  | "reconnectDelay"
  | "maxReconnectDelay"
>;

/** Everything a worker shares with its host. */
export interface WorkerEnvironment {
  readonly reader: PartitionReader;
  readonly checkpointer: Checkpointer;
  /** The host's store-call queue: every checkpoint-store call goes through it. */
  readonly storeCalls: StoreCallQueue;
  readonly leases: LeaseGuard;
  readonly options: WorkerOptions;
  /** The per-event handlers registered now. */
  readonly handlers: () => ReadonlyArray<readonly [HandlerID, EventHandler]>;
  /** The batch handlers registered now (a new list whenever they change). */
  readonly batchHandlers: () => readonly RegisteredBatchHandler[];
  readonly log: Logger;
  readonly secrets: readonly string[];
  readonly reportError: (info: HostErrorInfo) => void;
  readonly opened: (info: PartitionOpenedInfo) => void;
  readonly closed: (info: PartitionClosedInfo) => void;
  /** Where the worker's metrics go (they are loaded after the host is built). */
  readonly metrics: () => HostMetrics;
  /** Where the worker's spans go (loaded after the host is built). */
  readonly tracing: () => HostTracing;
  /** The host-wide `maxInFlightEvents` cap, when there is one. */
  readonly inFlight?: InFlightEvents | undefined;
  /** Counts one completed event of `partitionId`. */
  readonly countEvent: (partitionId: string) => void;
  /**
   * How long a stop may wait now for the handler in flight: `drainTimeout`, or less once the host's
   * `closeTimeout` is running out (the final checkpoint and release need the rest).
   */
  readonly drainTimeout: () => number;
}

/** Why the subscription ended, when it was not asked to. */
type Ending = { readonly error: unknown } | undefined;

/**
 * Reads one owned partition: fences and reads its checkpoint, subscribes with the lease epoch as owner
 * level, hands events to the dispatcher one at a time, checkpoints, and on any receiver failure
 * verifies the lease before reconnecting from the last handled event (a deposed owner never steals a
 * partition back). Stopping drains the event in flight and flushes the checkpoint before the lease
 * is released or left to the new owner.
 */
export class PartitionWorker {
  private phase: WorkerPhase = initialPhase;
  private readonly stopController = new AbortController();
  private writer: CheckpointWriter | undefined;
  private dispatcher: EventDispatcher;
  private readonly progress: PartitionProgress;
  private readonly handlerCalls: RunningHandlers;
  private lastEnqueued: number | undefined;
  private lastReceiveAt: number | undefined;
  private lastError: string | undefined;
  private running: Promise<void> = Promise.resolve();
  /** The partition's work, one piece at a time: receiver deliveries and batches whose wait ran out. */
  private lane: Promise<void> = Promise.resolve();
  /** Stored positions found outside the partition's range (see `onInvalidPosition`). */
  private invalidPositions = 0;
  /** Events this partition holds under the host's `maxInFlightEvents` (received, not yet handled). */
  private permits = 0;
  /** Most events the receiver hands over at once (what tells a drained receiver from a busy one). */
  private receiveMax = 1;
  private endSubscription: ((ending: Ending) => void) | undefined;
  /** The shutdown under way (stop is idempotent: every caller waits for the same one). */
  private stopping: Promise<void> | undefined;
  private finalCheckpoint: "pending" | "stored" | "failed" = "pending";

  constructor(
    private readonly env: WorkerEnvironment,
    readonly partitionId: string,
    readonly epoch: number,
    private readonly previousOwner: string | undefined,
  ) {
    const o = env.options;
    this.handlerCalls = new RunningHandlers(o.clock);
    const policy: HandlerPolicy = {
      partitionId,
      epoch,
      signal: this.stopController.signal,
      clock: o.clock,
      random: o.random,
      retry: o.handlerRetry,
      onFailure: o.onHandlerFailure,
      ...(o.deadLetterStore === undefined
        ? {}
        : {
            deadLetter: (event: ReceivedEventData, error: unknown) =>
              writeDeadLetter(
                {
                  store: o.deadLetterStore as DeadLetterStore,
                  partitionId,
                  hostName: o.hostName,
                  clock: o.clock,
                  random: o.random,
                  timeout: o.timing.operationTimeout,
                  signal: this.stopController.signal,
                  report: (info) => this.report(info),
                },
                event,
                error,
              ),
          }),
      report: (info) => this.report(info),
      handlerTimeout: o.handlerTimeout,
      running: this.handlerCalls,
    };
    this.progress = new PartitionProgress({
      partitionId,
      clock: o.clock,
      checkpointMode: o.checkpoint.mode,
      inOrder: o.concurrency === 1,
      batchRun: { ...policy, isRegistered: (id) => env.batchHandlers().some((r) => r.id === id) },
      batchHandlers: env.batchHandlers,
      writer: () => this.writer,
      recording: () => recordsCompletions(this.phase),
      enqueue: (work) => void this.enqueue(work),
      countEvent: () => {
        env.countEvent(partitionId);
        if (this.permits > 0) this.releasePermits(1);
      },
      failed: (error) => {
        this.lastError = describeError(error, env.secrets);
        this.fail(error);
      },
    });
    this.dispatcher = new EventDispatcher({
      ...policy,
      handlers: env.handlers,
      checkpointNow: (position) => this.progress.checkpointEvent(position),
    });
  }

  /**
   * Where the final checkpoint of a stopping worker is: `"stored"` once the last handled position is in
   * the store (or there was nothing to store), `"failed"` if the store refused it or failed.
   */
  get finalCheckpointState(): "pending" | "stored" | "failed" {
    return this.finalCheckpoint;
  }

  /** True while the receiver is open and delivering. */
  get isReceiving(): boolean {
    return this.phase.kind === "receiving";
  }

  /** Starts reading in the background. */
  start(): void {
    this.running = this.run().catch((error: unknown) => {
      this.report({ operation: "receive", partitionId: this.partitionId, error, willRetry: false });
    });
  }

  /**
   * Stops reading: ends retries and waits, tells handlers through `context.signal`, waits up to
   * `drainTimeout` for the event in flight, closes the receiver and flushes the checkpoint. Idempotent.
   */
  stop(reason: LossReason): Promise<void> {
    if (!this.stopping) {
      this.signal({ type: "stop", reason: this.closeReasonFor(reason) });
      this.stopping = this.shutdown();
    }
    return this.stopping;
  }

  /** This partition's health. */
  health(): PartitionHealth {
    const checkpoint = this.writer?.checkpoint;
    const oldest = this.handlerCalls.oldest();
    const lag =
      this.lastEnqueued === undefined ? undefined : Math.max(0, this.lastEnqueued - (checkpoint?.sequenceNumber ?? -1));
    return {
      partitionId: this.partitionId,
      epoch: this.epoch,
      state: partitionStateOf(this.phase),
      eventsProcessed: this.progress.eventsProcessed,
      eventsSkipped: this.progress.eventsSkipped,
      eventsDeadLettered: this.progress.eventsDeadLettered,
      lastSequenceNumber: this.progress.lastHandled?.sequenceNumber,
      lastEnqueuedTime: this.progress.lastHandled && new Date(this.progress.lastHandled.enqueuedTime),
      checkpoint,
      lastEnqueuedSequenceNumber: this.lastEnqueued,
      lag,
      lastReceiveAt: this.lastReceiveAt,
      lastError: this.lastError,
      invalidPositions: this.invalidPositions,
      oldestRunningHandler: oldest && { ...oldest, runningFor: this.env.options.clock.now() - oldest.since },
    };
  }

  /** The worker's phase (for tests and diagnostics). */
  get currentPhase(): WorkerPhase {
    return this.phase;
  }

  /** True once the worker was asked to stop (or failed): no new event reaches the handlers. */
  private get stopRequested(): boolean {
    return !isLive(this.phase);
  }

  private signal(signal: WorkerSignal): void {
    this.phase = nextPhase(this.phase, signal);
  }

  private closeReasonFor(reason: LossReason): PartitionCloseReason {
    if (reason === "shutdown") return "shutdown";
    if (reason === "expired") return "lost";
    return "stolen";
  }

  private async run(): Promise<void> {
    const o = this.env.options;
    const signal = this.stopController.signal;
    if (this.previousOwner !== undefined && o.handoffTimeout > 0) {
      // Taken from a live owner: give it time to notice, finish its event and checkpoint (its writes
      // are still accepted because the fence is raised only below), so nothing is read twice.
      this.signal({ type: "awaitHandoff" });
      this.env.log.info(
        `eph: partition ${this.partitionId} taken from ${this.previousOwner}; waiting ${o.handoffTimeout} ms for its handoff`,
      );
      try {
        await this.awaitHandoff(signal);
      } catch {
        return;
      }
    }
    this.signal({ type: "handedOver" });
    // Raising the fence BEFORE reading the checkpoint means any later write by a previous owner is
    // refused, so the position read here can only be overtaken by this host.
    const checkpoint = await this.untilDone("checkpoint", (timeout) =>
      this.env.storeCalls.run(
        {
          priority: "take",
          what: `Starting partition ${this.partitionId} (checkpoint)`,
          timeout,
          abortSignal: this.stopController.signal,
        },
        (abortSignal) =>
          this.env.checkpointer.ensureCheckpoint(this.partitionId, {
            epoch: this.epoch,
            abortSignal,
            lastEnqueuedSequenceNumber: this.lastEnqueuedSequenceNumber(),
          }),
      ),
    );
    if (checkpoint === stopped) return;
    this.writer = this.newWriter(checkpoint);
    let position: EventPosition;
    if (checkpoint !== undefined) {
      const checked = await this.checkedPosition(checkpoint);
      if (checked === stopped) return;
      position = checked;
    } else {
      const initial = await this.untilDone("callback", (timeout) =>
        withDeadline(
          o.clock,
          timeout,
          async () => toEventPosition(await o.initialPosition(this.partitionId)),
          `Starting partition ${this.partitionId} (initialPosition)`,
        ),
      );
      if (initial === stopped) return;
      position = initial;
    }
    this.env.opened({ partitionId: this.partitionId, epoch: this.epoch, checkpoint });

    let failures = 0;
    while (!this.stopRequested) {
      const before = this.progress.eventsProcessed;
      const ending = await this.receive(position);
      if (this.stopRequested || ending === undefined) break;
      failures = this.progress.eventsProcessed > before ? 1 : failures + 1;
      this.signal({ type: "receiverFailed" });
      this.report({ operation: "receive", partitionId: this.partitionId, error: ending.error, willRetry: true });
      try {
        await delay(o.clock, backoffDelay(failures, o.reconnectDelay, o.maxReconnectDelay, o.random), signal);
      } catch {
        break;
      }
      // Never reconnect on a lease we may have lost: with the same owner level the old receiver could
      // displace the new owner's (the steal-back race of the official processor).
      if (!(await this.env.leases.verifyLease(this.partitionId))) {
        this.env.log.info(`eph: partition ${this.partitionId} is no longer ours; not reconnecting`);
        break;
      }
      // From after the last event given to the handlers: those a batch still holds stay held.
      if (this.progress.lastFed !== undefined) position = afterCheckpoint(this.progress.lastFed);
      const basis = this.progress.lastFed ?? checkpoint;
      if (basis !== undefined && isRefusedPosition(ending.error)) {
        // The service refused the position: retention may have passed it, or the hub been reset.
        const checked = await this.checkedPosition(basis);
        if (checked === stopped) break;
        position = checked;
      }
    }
  }

  /** The partition's checkpoint writer, starting from `stored` (the position in the store). */
  private newWriter(stored: Checkpoint | undefined): CheckpointWriter {
    const o = this.env.options;
    return new CheckpointWriter(
      {
        partitionId: this.partitionId,
        epoch: this.epoch,
        checkpointer: this.env.checkpointer,
        clock: o.clock,
        calls: this.env.storeCalls,
        everyEvents: o.checkpoint.everyEvents,
        everyMs: o.checkpoint.everyMs,
        timeout: o.timing.operationTimeout,
        onError: (error, willRetry) =>
          this.report({ operation: "checkpoint", partitionId: this.partitionId, error, willRetry }),
        onWrite: (result) => this.env.metrics().checkpointWrite(this.partitionId, result),
      },
      stored,
    );
  }

  /**
   * Clears a stored position past the partition's end (the hub was reset), so positions of the new
   * events, lower than it, can be stored: deletes the record and recreates it at this host's fence; a
   * deposed owner's write slipping in between shows up as a position and is deleted again. False (and
   * reported) when the store did not let it.
   */
  private async clearStoredPosition(): Promise<boolean> {
    const o = this.env.options;
    const checkpointer = this.env.checkpointer;
    const call = <T>(what: string, work: (abortSignal: AbortSignal) => Promise<T>) =>
      this.env.storeCalls.run(
        { priority: "take", what: `${what} partition ${this.partitionId}`, timeout: o.timing.operationTimeout },
        work,
      );
    try {
      for (let attempt = 1; ; attempt++) {
        await call("Clearing the checkpoint of", (abortSignal) =>
          checkpointer.deleteCheckpoint(this.partitionId, { abortSignal }),
        );
        const left = await call("Fencing the checkpoint of", (abortSignal) =>
          checkpointer.ensureCheckpoint(this.partitionId, { epoch: this.epoch, abortSignal }),
        );
        if (left === undefined) break;
        if (attempt >= 3) {
          throw new EphError(
            "CheckpointFenced",
            `A previous owner kept writing checkpoints of partition ${this.partitionId}.`,
            {
              partitionId: this.partitionId,
            },
          );
        }
      }
    } catch (error) {
      this.report({ operation: "checkpoint", partitionId: this.partitionId, error, willRetry: false });
      return false;
    }
    this.writer?.close();
    this.writer = this.newWriter(undefined);
    return true;
  }

  /**
   * Where to read on after `checkpoint`: after it, when the partition still holds the next event;
   * otherwise (events expired, or the hub was reset) what `onInvalidPosition` says, reported through
   * `onError` and counted in `health()`. Without the partition's range (no answer), after it as before.
   */
  private async checkedPosition(checkpoint: Checkpoint): Promise<EventPosition | typeof stopped> {
    const o = this.env.options;
    const reader = this.env.reader;
    if (typeof reader.getPartitionProperties !== "function") return afterCheckpoint(checkpoint);
    let range: PartitionRange;
    try {
      const properties = await withDeadline(
        o.clock,
        o.timing.operationTimeout * 4,
        (abortSignal) =>
          reader.getPartitionProperties?.(this.partitionId, { abortSignal }) ?? Promise.reject(new Error("none")),
        `Reading the range of partition ${this.partitionId}`,
      );
      if (typeof properties.beginningSequenceNumber !== "number") return afterCheckpoint(checkpoint);
      range = {
        beginningSequenceNumber: properties.beginningSequenceNumber,
        lastEnqueuedSequenceNumber: properties.lastEnqueuedSequenceNumber,
      };
    } catch (error) {
      this.env.log.verbose(`eph: ${describeError(error, this.env.secrets)}`);
      return afterCheckpoint(checkpoint);
    }
    const why = classifyPosition(checkpoint, range);
    if (why === undefined) return afterCheckpoint(checkpoint);
    const action = o.onInvalidPosition;
    const error = invalidPositionError(this.partitionId, checkpoint, range, why, action);
    this.invalidPositions++;
    this.report({
      operation: "position",
      partitionId: this.partitionId,
      error,
      willRetry: false,
      checkpoint,
      range,
      invalidPositionAction: action,
    });
    // Past the end, the store would refuse every position of the new events as a regression.
    if (action === "stop" || (why === "beyondEnd" && !(await this.clearStoredPosition()))) {
      this.fail(error);
      return stopped;
    }
    return positionFor(checkpoint, action);
  }

  /** The reader's `getPartitionProperties` as `ensureCheckpoint` takes it, when the reader has one. */
  private lastEnqueuedSequenceNumber(): EnsureCheckpointOptions["lastEnqueuedSequenceNumber"] {
    const reader = this.env.reader;
    if (typeof reader.getPartitionProperties !== "function") return undefined;
    return async ({ abortSignal }) =>
      (await reader.getPartitionProperties?.(this.partitionId, { abortSignal }))?.lastEnqueuedSequenceNumber ?? -1;
  }

  /**
   * Waits up to `handoffTimeout` for the previous owner to let go. When the checkpointer reports its
   * fence, the wait ends as soon as the previous owner has raised it to this epoch, which it does after
   * storing its last position (see `signalHandoff`); otherwise, or if it never does, the whole timeout.
   */
  private async awaitHandoff(signal: AbortSignal): Promise<void> {
    const o = this.env.options;
    const getFence = this.env.checkpointer.getFence?.bind(this.env.checkpointer);
    const deadline = o.clock.now() + o.handoffTimeout;
    if (!getFence) {
      await delay(o.clock, o.handoffTimeout, signal);
      return;
    }
    // The previous owner notices within a renewal interval: look a few times per interval.
    const every = Math.max(50, o.timing.renewalInterval / 4);
    for (;;) {
      const left = deadline - o.clock.now();
      if (left <= 0) return;
      await delay(o.clock, Math.min(every, left), signal);
      if (deadline - o.clock.now() <= 0) return;
      try {
        const fence = await this.env.storeCalls.run(
          {
            priority: "routine",
            what: `Reading the fence of partition ${this.partitionId}`,
            timeout: o.timing.operationTimeout,
            abortSignal: signal,
          },
          (abortSignal) => getFence(this.partitionId, { abortSignal }),
        );
        if (fence >= this.epoch) {
          this.env.log.info(
            `eph: partition ${this.partitionId} handed over by ${this.previousOwner} after ${Math.round(o.handoffTimeout - (deadline - o.clock.now()))} ms`,
          );
          return;
        }
      } catch (error) {
        // Not knowing is no reason to read early: keep waiting out the timeout.
        this.env.log.verbose(`eph: ${describeError(error, this.env.secrets)}`);
      }
    }
  }

  /**
   * Tells the host that took this partition that it may read now: raises the fence to this epoch + 1
   * (the taker's, when it took the lease straight from this host), which also refuses any later write
   * of this host. Done only after the last position is stored, and only by a worker that got past its
   * own start (so an owner before it is already fenced). A failure only makes the taker wait longer.
   */
  private async signalHandoff(): Promise<void> {
    const o = this.env.options;
    const checkpointer = this.env.checkpointer;
    if (!checkpointer.getFence) return;
    try {
      await this.env.storeCalls.run(
        { priority: "release", what: `Handing partition ${this.partitionId} over`, timeout: o.timing.operationTimeout },
        (abortSignal) => checkpointer.ensureCheckpoint(this.partitionId, { epoch: this.epoch + 1, abortSignal }),
      );
    } catch (error) {
      this.env.log.verbose(`eph: ${describeError(error, this.env.secrets)}`);
    }
  }

  /** Subscribes from `position`; resolves when the subscription ends (with the error, if any). */
  private receive(position: EventPosition): Promise<Ending> {
    const o = this.env.options;
    return new Promise<Ending>((resolve) => {
      let ended = false;
      let subscription: Subscription | undefined;
      const end = (ending: Ending) => {
        if (ended) return;
        ended = true;
        this.endSubscription = undefined;
        const sub = subscription;
        const closing = sub
          ? withDeadline(o.clock, o.timing.operationTimeout * 4 + 5000, () => sub.close(), "Closing a receiver")
          : Promise.resolve();
        closing.catch((error: unknown) => this.env.log.warning(`eph: ${describeError(error, this.env.secrets)}`));
        closing.finally(() => resolve(ending)).catch(() => undefined);
      };
      this.endSubscription = end;
      const handlers: SubscriptionEventHandlers = {
        processEvents: async (events, context) => {
          if (ended) return;
          const inFlight = this.env.inFlight;
          if (inFlight && events.length > 0) {
            // Outside the partition's lane: while this waits, its held batches can still be delivered.
            try {
              await inFlight.acquire(events.length, this.stopController.signal);
            } catch {
              return;
            }
            this.permits += events.length;
          }
          await this.enqueue(() => this.processBatch(events, context));
          if ("reason" in this.phase && this.phase.reason === "failed") end(undefined);
        },
        // Closing at once keeps the client from reconnecting on its own: this worker reconnects, after
        // verifying its lease.
        processError: async (error) => end({ error }),
        processClose: async (reason) => {
          end({
            error: new EphError("LeaseLost", `The receiver of partition ${this.partitionId} closed (${reason}).`),
          });
        },
      };
      // The receive settings grow to serve the batch handlers: a batch of 500 is not filled by
      // deliveries of 100 with nothing waiting in between.
      this.progress.sync();
      this.receiveMax = Math.max(o.maxBatchSize, ...this.env.batchHandlers().map((r) => r.options.maxBatchSize));
      try {
        subscription = this.env.reader.subscribe(this.partitionId, handlers, {
          ownerLevel: this.epoch,
          startPosition: position,
          maxBatchSize: this.receiveMax,
          prefetchCount: Math.max(o.prefetchCount, this.receiveMax),
          maxWaitTimeInSeconds: o.maxWaitTimeInSeconds,
          trackLastEnqueuedEventProperties: o.trackLastEnqueuedEventProperties,
        });
        if (ended) {
          // An error was reported synchronously, before `subscription` was assigned.
          subscription.close().catch(() => undefined);
        } else {
          this.signal({ type: "receiving" });
        }
      } catch (error) {
        end({ error });
      }
    });
  }

  private async processBatch(events: ReceivedEventData[], context: PartitionContext): Promise<void> {
    const o = this.env.options;
    this.lastReceiveAt = o.clock.now();
    const enqueued = context.lastEnqueuedEventProperties?.sequenceNumber;
    if (typeof enqueued === "number") this.lastEnqueued = enqueued;
    this.signal({ type: "receiving" });
    const progress = this.progress;
    progress.sync();
    const fedBefore = progress.eventsFed;
    try {
      await this.handle(events);
    } finally {
      // Events not handed on (the partition is stopping) are no longer in flight.
      if (this.permits > 0) this.releasePermits(events.length - (progress.eventsFed - fedBefore));
    }
    // Fewer events than asked for: the receiver had nothing more waiting.
    if (progress.hasBatchHandlers && !this.stopRequested) await progress.received(events.length < this.receiveMax);
  }

  /** Gives one delivery's events to the per-event handlers, then on to the batch handlers. */
  private async handle(events: ReceivedEventData[]): Promise<void> {
    const o = this.env.options;
    const progress = this.progress;
    if (o.concurrency > 1 && this.env.handlers().length > 0) {
      await dispatchOrdered(
        events,
        o.concurrency,
        (event) => this.dispatch(event),
        (event, outcome) => this.completed(event, outcome),
        () => this.mayHandle(),
        notStarted,
      );
    } else {
      for (const event of events) {
        if (!this.mayHandle()) return;
        const perEvent = this.env.handlers().length > 0;
        // Every handler was removed (the host is closing): nobody handled it, so it must not complete.
        if (!perEvent && !progress.hasBatchHandlers) return;
        const dispatched = perEvent ? this.dispatch(event) : handledByNone;
        const outcome = dispatched instanceof Promise ? await dispatched : dispatched;
        const fed = this.completed(event, outcome);
        if (!(fed instanceof Promise ? await fed : fed)) return;
      }
    }
  }

  /**
   * The host's `maxInFlightEvents` is reached: batches held for their `minBatchSize` go now, as they
   * are (the events they wait for may be the ones the cap holds back).
   */
  relievePressure(): void {
    if (!this.stopRequested && this.progress.hasBatchHandlers) void this.enqueue(() => this.progress.deliverHeld());
  }

  private releasePermits(count: number): void {
    const n = Math.min(count, this.permits);
    if (n <= 0) return;
    this.permits -= n;
    this.env.inFlight?.release(n);
  }

  /** True while events may reach the handlers. */
  private mayHandle(): boolean {
    // Past the lease's local deadline (e.g. the process was stopped longer than the lease and has
    // just resumed, before the balancer's timer reports the loss): another host may own it now.
    return !this.stopRequested && this.env.leases.isOwned(this.partitionId);
  }

  /**
   * The per-event handlers are done with `event` (events come here in order): passes it on to the batch
   * handlers and the checkpoint, or stops the partition. False when no later event may be handled.
   */
  private completed(event: ReceivedEventData, outcome: DispatchOutcome): boolean | Promise<boolean> {
    if (!recordsCompletions(this.phase)) return false;
    if (outcome.kind === "stopped") return false;
    if (outcome.kind === "failed") {
      this.lastError = describeError(outcome.error, this.env.secrets);
      this.fail(outcome.error);
      return false;
    }
    return this.progress.feed(event, outcome.kind);
  }

  /** Gives `event` to the per-event handlers (traced when tracing is on). */
  private dispatch(event: ReceivedEventData): DispatchOutcome | Promise<DispatchOutcome> {
    const tracing = this.env.tracing();
    return tracing.enabled
      ? tracing.trace(
          this.partitionId,
          event,
          () => this.dispatcher.dispatch(event),
          (done) => done.kind,
        )
      : this.dispatcher.dispatch(event);
  }

  /** Runs `work` once the partition's work before it is over; resolves when `work` is. */
  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.lane.then(work);
    this.lane = next.catch((error: unknown) =>
      this.report({ operation: "handler", partitionId: this.partitionId, error, willRetry: false }),
    );
    return next;
  }

  private fail(error: unknown): void {
    if (this.stopping) return;
    this.signal({ type: "handlerFailed", error });
    this.stopping = this.shutdown();
  }

  /** Drains, flushes and reports the close; the phase (already draining) says why. */
  private async shutdown(): Promise<void> {
    const o = this.env.options;
    const phase = this.phase;
    if (phase.kind !== "draining") return;
    const reason = phase.reason;
    this.stopController.abort(new EphError("Aborted", `Partition ${this.partitionId} is stopping.`));
    {
      // The work in flight first, then every batch still held: nothing is held past a close.
      const drained = await settleWithin(
        o.clock,
        this.enqueue(() => this.progress.deliverHeld()),
        this.env.drainTimeout(),
      );
      if (!drained) {
        this.report({
          operation: "handler",
          partitionId: this.partitionId,
          error: new EphError("Aborted", `A handler on partition ${this.partitionId} outlived drainTimeout.`),
          willRetry: false,
        });
      }
    }
    this.endSubscription?.(undefined);
    await settleWithin(o.clock, this.running, o.timing.operationTimeout * 4 + 5000);
    this.signal({ type: "seal" });
    this.progress.close();
    // What a batch still held will be read again by the next owner: no longer in flight here.
    this.releasePermits(this.permits);
    let closeReason = reason;
    const writer = this.writer;
    if (!writer) this.finalCheckpoint = "stored";
    if (writer) {
      try {
        await writer.flush("keep");
        this.finalCheckpoint = "stored";
        if (reason === "stolen") {
          closeReason = "handoff";
          await this.signalHandoff();
        }
      } catch (error) {
        if (this.finalCheckpoint === "pending") this.finalCheckpoint = "failed";
        this.report({ operation: "checkpoint", partitionId: this.partitionId, error, willRetry: false });
      }
      writer.close();
    }
    this.signal({ type: "closed" });
    this.env.closed({
      partitionId: this.partitionId,
      epoch: this.epoch,
      reason: closeReason,
      checkpoint: writer?.checkpoint,
      ...(reason === "failed" ? { error: phase.error } : {}),
    });
  }

  /**
   * Retries a start-up call (given its deadline) with backoff until it succeeds, the partition stops,
   * or the lease is gone.
   */
  private async untilDone<T>(
    operation: "checkpoint" | "callback",
    call: (timeout: number) => Promise<T>,
  ): Promise<T | typeof stopped> {
    const o = this.env.options;
    // A start-up read protects nothing (the lease is renewed on its own), so a store slower than the
    // deadline, as under a start-up burst, must not keep the partition unread: each attempt waits one
    // operationTimeout longer, up to half the lease.
    const longest = Math.max(o.timing.operationTimeout, o.timing.leaseDuration / 2);
    for (let attempt = 1; ; attempt++) {
      if (this.stopRequested || !this.env.leases.isOwned(this.partitionId)) return stopped;
      try {
        return await call(Math.min(longest, attempt * o.timing.operationTimeout));
      } catch (error) {
        if (this.stopRequested) return stopped;
        this.report({ operation, partitionId: this.partitionId, error, willRetry: true });
        try {
          await delay(
            o.clock,
            backoffDelay(attempt, o.reconnectDelay, o.maxReconnectDelay, o.random),
            this.stopController.signal,
          );
        } catch {
          return stopped;
        }
      }
    }
  }

  private report(info: HostErrorInfo): void {
    if (info.operation !== "handler" || !info.willRetry) {
      this.lastError = describeError(info.error, this.env.secrets);
    }
    this.env.reportError(info);
  }
}

const stopped: unique symbol = Symbol("stopped");

/** The outcome of an event the partition stopped before it was started. */
const notStarted: DispatchOutcome = { kind: "stopped" };

/** The outcome of an event when only batch handlers are registered. */
const handledByNone: DispatchOutcome = { kind: "handled" };

/** Waits for `work` to settle, at most `ms`; true when it settled. */
export async function settleWithin(clock: Clock, work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: unknown;
  const timeout = new Promise<boolean>((resolve) => {
    timer = clock.setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clock.clearTimeout(timer);
  }
}
