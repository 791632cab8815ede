import type { Checkpoint, HandlerID } from "@eph/core";

/** Where a partition this host owns is in its life. */
export type PartitionState =
  /** Taken from a live owner: waiting for it to checkpoint and let go before reading. */
  | "handoff"
  /** Fencing the checkpoint and opening the receiver. */
  | "starting"
  /** The receiver is open and events reach the handlers. */
  | "receiving"
  /** The receiver failed; the host verifies its lease, then reconnects. */
  | "reconnecting"
  /** Draining the event in flight and checkpointing before letting go. */
  | "stopping"
  /** A handler failed for good (`stopPartition`): the partition is not read until the host restarts. */
  | "failed";

/** One owned partition, as {@link HostHealth} reports it. */
export interface PartitionHealth {
  /** The partition. */
  readonly partitionId: string;
  /** The epoch of this host's lease. */
  readonly epoch: number;
  /** Where it is in its life. */
  readonly state: PartitionState;
  /** Events the handlers completed (or skipped) since this host took the partition. */
  readonly eventsProcessed: number;
  /** Events skipped after handler failures (`skipEvent`). */
  readonly eventsSkipped: number;
  /** Events written to the dead-letter store after handler failures (`deadLetter`). */
  readonly eventsDeadLettered: number;
  /** Sequence number of the last event handled. */
  readonly lastSequenceNumber: number | undefined;
  /** Enqueued time of the last event handled (what consumer lag in seconds is measured from). */
  readonly lastEnqueuedTime: Date | undefined;
  /** The last checkpoint stored (or the one the host started after). */
  readonly checkpoint: Checkpoint | undefined;
  /**
   * Sequence number of the newest event in the partition, as the service last reported it. Only with
   * the host option `trackLastEnqueuedEventProperties: true`; undefined otherwise.
   */
  readonly lastEnqueuedSequenceNumber: number | undefined;
  /**
   * Events enqueued but not yet checkpointed: last enqueued minus the checkpoint. Only with
   * `trackLastEnqueuedEventProperties: true`; undefined otherwise.
   */
  readonly lag: number | undefined;
  /**
   * Host-clock time (ms) the receiver last delivered a batch, empty ones included: the receiver
   * reports every `maxWaitTimeInSeconds` even when idle, so an old value means it has stopped.
   */
  readonly lastReceiveAt: number | undefined;
  /** The last error seen on this partition, scrubbed of secrets. */
  readonly lastError: string | undefined;
  /** Stored positions found outside the partition's range since this host took it (`onInvalidPosition`). */
  readonly invalidPositions: number;
  /**
   * The handler call on this partition that has run longest and not settled (also one `handlerTimeout`
   * gave up waiting for): which handler, on which event (a batch's first), since when (host clock, ms)
   * and for how long. Undefined when no handler is running.
   */
  readonly oldestRunningHandler:
    | {
        readonly handlerId: HandlerID;
        readonly sequenceNumber: number;
        readonly since: number;
        readonly runningFor: number;
      }
    | undefined;
}

/** A snapshot of the host, for health checks and dashboards. */
export interface HostHealth {
  /** This host's name. */
  readonly hostName: string;
  /** Lifecycle state of the host. */
  readonly state: "created" | "starting" | "running" | "closing" | "closed";
  /** Host-clock time of the snapshot (ms). */
  readonly at: number;
  /** Leases this host holds. */
  readonly leasesHeld: number;
  /** Partitions whose receiver is open and delivering. */
  readonly partitionsReceiving: number;
  /** Events handled by this host since it started. */
  readonly eventsProcessed: number;
  /** With `maxInFlightEvents`: events received and not yet handled now. Undefined without the cap. */
  readonly eventsInFlight: number | undefined;
  /** Errors reported through `onError` since start. */
  readonly errors: number;
  /** Host-clock time of the last scan of the leases. */
  readonly lastScanAt: number | undefined;
  /** Live hosts counted at the last scan. */
  readonly hosts: number | undefined;
  /** The scan interval the host runs with (ms): how often `lastScanAt` should move. */
  readonly scanInterval: number;
  /** Every partition this host owns or is letting go. */
  readonly partitions: readonly PartitionHealth[];
}
