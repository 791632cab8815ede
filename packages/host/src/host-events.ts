import type { ReceivedEventData } from "@azure/event-hubs";
import type { Checkpoint, HandlerID, ScanReport } from "@eph/core";
import type { InvalidPositionAction, PartitionRange } from "./position-check.js";

/** What a reported error concerns. */
export type HostOperation =
  /** A registered handler threw or rejected on an event. */
  | "handler"
  /** A partition's receiver failed (the host verifies its lease, then reconnects). */
  | "receive"
  /** Reading, fencing or writing a partition's checkpoint failed. */
  | "checkpoint"
  /** A call to the lease store failed (listing, creating, acquiring, renewing, releasing). */
  | "lease"
  /** Reading the hub's partition ids failed (the last known ids stay in use). */
  | "partitionIds"
  /** A user callback (`onPartitionOpened`, …) threw; the host carries on. */
  | "callback"
  /** Something failed while the host was closing. */
  | "close"
  /** Writing an event to the dead-letter store failed (retried while the partition is held). */
  | "deadLetter"
  /** A stored position is outside the partition's range (see `onInvalidPosition`); code `InvalidPosition`. */
  | "position";

/** What the host does about a handler failure. */
export type HandlerFailureAction =
  /** Stop reading the partition; nothing is checkpointed past the event (the default). */
  | "stopPartition"
  /** Report the event as skipped and go on; later checkpoints pass it. */
  | "skipEvent"
  /**
   * Write the event to the `deadLetterStore` and go on; later checkpoints pass it. If the write fails
   * for good the partition stops instead (the event is never lost).
   */
  | "deadLetter";

/** An error the host reports through `onError`. Messages are scrubbed of secrets. */
export interface HostErrorInfo {
  /** What failed. */
  readonly operation: HostOperation;
  /** The partition concerned, if any. */
  readonly partitionId?: string;
  /** The error: for `handler`, what the handler threw, as it threw it. */
  readonly error: unknown;
  /** True when the host retries on its own (the next attempt may still succeed). */
  readonly willRetry: boolean;
  /** For `handler`: the handler that failed. */
  readonly handlerId?: HandlerID;
  /** For `handler`: the event it failed on (for a batch handler, the batch's first event). */
  readonly event?: ReceivedEventData;
  /** For a batch handler: the whole batch it failed on. */
  readonly events?: readonly ReceivedEventData[];
  /** For `handler`: the attempt that failed (1 for the first). */
  readonly attempt?: number;
  /** For `handler`, once retries are exhausted: what the host did. */
  readonly action?: HandlerFailureAction;
  /** For `position`: the stored position found invalid. */
  readonly checkpoint?: Checkpoint;
  /** For `position`: the partition's range when it was checked. */
  readonly range?: PartitionRange;
  /** For `position`: what the host did (`onInvalidPosition`). */
  readonly invalidPositionAction?: InvalidPositionAction;
}

/** Why this host stopped processing a partition. */
export type PartitionCloseReason =
  /** The host is closing; its position was checkpointed and its lease released. */
  | "shutdown"
  /** Another host took the partition and this host checkpointed before letting go: no duplicates. */
  | "handoff"
  /** Another host took the partition before this host could record its last position. */
  | "stolen"
  /** The lease could not be renewed in time; the host gave the partition up. */
  | "lost"
  /** A handler failed for good with `onHandlerFailure: "stopPartition"`; see `error`. */
  | "failed";

/** A partition this host has started reading. */
export interface PartitionOpenedInfo {
  /** The partition. */
  readonly partitionId: string;
  /** The lease epoch the host reads with. */
  readonly epoch: number;
  /** The stored checkpoint it resumes after, or `undefined` when it starts at the initial position. */
  readonly checkpoint: Checkpoint | undefined;
}

/** A partition this host has stopped reading. */
export interface PartitionClosedInfo {
  /** The partition. */
  readonly partitionId: string;
  /** The lease epoch the host read with. */
  readonly epoch: number;
  /** Why it stopped. */
  readonly reason: PartitionCloseReason;
  /** The last checkpoint this host stored for the partition, if any. */
  readonly checkpoint: Checkpoint | undefined;
  /** For `failed`: the handler's error. */
  readonly error?: unknown;
}

/** A scan of the leases that moved partitions to this host. */
export type RebalanceInfo = ScanReport;
