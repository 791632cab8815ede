import type { EventHubConsumerClient } from "@azure/event-hubs";
import {
  type Checkpoint,
  type Checkpointer,
  type HostRecord,
  isEphError,
  keepsHostRecords,
  type LeaseListing,
  type LeaseMarker,
  type Leaser,
} from "@eph/core";
import { mapBounded } from "./bounded-map.js";
import type { ConnectionSettings, StoreKind } from "./connection-settings.js";
import { describeError, toCliError } from "./error-classification.js";
import { type HubPartition, readHubPartitions } from "./hub-partitions.js";

/**
 * A lease as stored. eph never stores an expiry time (each host judges expiry on its own clock by how
 * long the record stays unchanged), so a single reading can only say who is written as owner:
 * - `owned`: a host name is written; that host is alive if it keeps renewing (watch with `--watch`);
 * - `released`: a host owned it and let go (owner empty, epoch > 0);
 * - `free`: created but never taken (epoch 0);
 * - `missing`: no lease record: no host has run for this hub and consumer group in this container.
 */
export type LeaseState = "owned" | "released" | "free" | "missing";

/** A checkpoint in JSON-friendly form. */
export interface CheckpointView {
  /** Sequence number of the last processed event; hosts resume after it. */
  readonly sequenceNumber: number;
  /** Offset of that event. */
  readonly offset: string;
  /** When that event was enqueued (ISO 8601). */
  readonly enqueuedTime: string;
}

/** One partition of a {@link StatusReport}. */
export interface PartitionStatus {
  /** The partition. */
  readonly partitionId: string;
  /** Owner written in the lease; `""` when none. */
  readonly owner: string;
  /** Epoch written in the lease (increments with every change of owner); 0 when missing. */
  readonly epoch: number;
  /** See {@link LeaseState}. */
  readonly leaseState: LeaseState;
  /** Version (ETag) of the lease record: it changes at every renewal (per-partition upkeep) and change of owner. */
  readonly leaseVersion: string | undefined;
  /**
   * Version of the owner's liveness record (heartbeat upkeep): it changes at every liveness write, which
   * keeps all of the owner's leases alive; `undefined` when the owner keeps none.
   */
  readonly ownerLivenessVersion: string | undefined;
  /** The stored checkpoint, if any. */
  readonly checkpoint: CheckpointView | undefined;
  /** Why the checkpoint could not be read (e.g. a corrupt record), scrubbed of secrets. */
  readonly checkpointError: string | undefined;
  /** Sequence number of the oldest retained event. */
  readonly beginningSequenceNumber: number;
  /** Sequence number of the newest event; -1 when the partition never had one. */
  readonly lastEnqueuedSequenceNumber: number;
  /** When the newest event was enqueued (ISO 8601). */
  readonly lastEnqueuedTime: string | undefined;
  /**
   * Events not yet checkpointed: last enqueued minus checkpoint. Without a checkpoint, every retained
   * event (what a host starting at "earliest" would read).
   */
  readonly lag: number;
}

/** What `eph status` reports. */
export interface StatusReport {
  /** Namespace host, as hosts write it in their leases. */
  readonly fullyQualifiedNamespace: string;
  /** The event hub. */
  readonly eventHubName: string;
  /** The consumer group. */
  readonly consumerGroup: string;
  /** The store the hosts use: `blob` or `table`. */
  readonly store: StoreKind;
  /** The blob container (or table) of the leases. */
  readonly container: string;
  /** The blob container (or table) of the checkpoints (usually the same). */
  readonly checkpointContainer: string;
  /**
   * What the reading could not show and why, e.g. a container that does not exist yet because no host
   * has run with it (its partitions then show `missing`). Empty when everything was read.
   */
  readonly notes: readonly string[];
  /** When the report was read (ISO 8601, this machine's clock). */
  readonly readAt: string;
  /** Every partition of the hub, in partition-id order. */
  readonly partitions: readonly PartitionStatus[];
  /** Partitions per owner written in the leases, biggest first. */
  readonly owners: readonly { readonly owner: string; readonly partitions: number }[];
  /** Sum of the partitions' lag. */
  readonly totalLag: number;
}

/** The clients a status is read from. */
export interface StatusSources {
  readonly hub: EventHubConsumerClient;
  readonly leaser: Leaser;
  readonly checkpointer: Checkpointer;
}

/** Partition ids sort as numbers when they are numbers ("2" before "10"). */
export function byPartitionId(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isInteger(na) && Number.isInteger(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function leaseState(lease: LeaseMarker | undefined): LeaseState {
  if (!lease) return "missing";
  if (lease.owner !== "") return "owned";
  return lease.epoch > 0 ? "released" : "free";
}

function checkpointView(cp: Checkpoint): CheckpointView {
  return { sequenceNumber: cp.sequenceNumber, offset: cp.offset, enqueuedTime: cp.enqueuedTime.toISOString() };
}

/** Events not yet checkpointed in `hub`'s partition. */
export function lagOf(hub: HubPartition, checkpoint: { sequenceNumber: number } | undefined): number {
  if (hub.lastEnqueuedSequenceNumber < 0) return 0;
  if (checkpoint) return Math.max(0, hub.lastEnqueuedSequenceNumber - checkpoint.sequenceNumber);
  if (hub.isEmpty) return 0;
  return hub.lastEnqueuedSequenceNumber - hub.beginningSequenceNumber + 1;
}

/**
 * Reads the status of every partition: the leases in one listing, the checkpoints (at most 16 reads at
 * once) and the hub's partition properties, concurrently. A corrupt checkpoint record is reported on its
 * partition, not as a failure of the whole report.
 */
export async function collectStatus(
  settings: ConnectionSettings,
  sources: StatusSources,
  abortSignal: AbortSignal,
): Promise<StatusReport> {
  const what = settings.store === "blob" ? "container" : "table";
  const notes: string[] = [];
  // A store that does not exist is what an operator sees before the first host ran (hosts create it at
  // start): every partition is then `missing`, which is the answer, not a failure.
  const missingStore = (name: string) => {
    const note = `${what} "${name}" does not exist: no host has run with it yet (or it is not the one your hosts use).`;
    if (!notes.includes(note)) notes.push(note);
  };
  const checkpointsOf = async (ids: readonly string[]) =>
    mapBounded(ids, 16, async (id) => {
      try {
        const cp = await sources.checkpointer.getCheckpoint(id, { abortSignal });
        return { cp, error: undefined };
      } catch (error) {
        if (isEphError(error, "StoreNotFound")) {
          missingStore(settings.checkpointContainer);
          return { cp: undefined, error: undefined };
        }
        if (isEphError(error, "CorruptRecord")) return { cp: undefined, error: describeError(error, settings.secrets) };
        throw toCliError(
          error,
          `Reading the checkpoint of partition ${id} in ${what} "${settings.checkpointContainer}"`,
          settings.secrets,
        );
      }
    });
  // Both are read at once; when both fail, the hub's error is reported: it is the first thing to fix.
  const [hubRead, leaseRead] = await Promise.allSettled([
    readHubPartitions(sources.hub, settings, abortSignal),
    listLeases(sources.leaser, abortSignal),
  ]);
  if (hubRead.status === "rejected") throw hubRead.reason;
  let leases: readonly LeaseMarker[] = [];
  let hosts: readonly HostRecord[] = [];
  if (leaseRead.status === "fulfilled") ({ leases, hosts } = leaseRead.value);
  else if (isEphError(leaseRead.reason, "StoreNotFound")) missingStore(settings.container);
  else throw toCliError(leaseRead.reason, `Listing the leases in ${what} "${settings.container}"`, settings.secrets);
  const hubPartitions = hubRead.value;
  hubPartitions.sort((a, b) => byPartitionId(a.partitionId, b.partitionId));
  const checkpoints = await checkpointsOf(hubPartitions.map((p) => p.partitionId));
  const leaseById = new Map(leases.map((l) => [l.partitionId, l]));
  const hostByName = new Map(hosts.map((h) => [h.hostName, h]));
  const partitions = hubPartitions.map((hub, i): PartitionStatus => {
    const lease = leaseById.get(hub.partitionId);
    const { cp, error } = checkpoints[i] ?? { cp: undefined, error: undefined };
    return {
      partitionId: hub.partitionId,
      owner: lease?.owner ?? "",
      epoch: lease?.epoch ?? 0,
      leaseState: leaseState(lease),
      leaseVersion: lease?.version,
      ownerLivenessVersion: lease?.owner ? hostByName.get(lease.owner)?.version : undefined,
      checkpoint: cp ? checkpointView(cp) : undefined,
      checkpointError: error,
      beginningSequenceNumber: hub.beginningSequenceNumber,
      lastEnqueuedSequenceNumber: hub.lastEnqueuedSequenceNumber,
      lastEnqueuedTime: hub.lastEnqueuedOn?.toISOString(),
      lag: lagOf(hub, cp),
    };
  });
  const counts = new Map<string, number>();
  for (const p of partitions) if (p.owner !== "") counts.set(p.owner, (counts.get(p.owner) ?? 0) + 1);
  return {
    fullyQualifiedNamespace: settings.fullyQualifiedNamespace,
    eventHubName: settings.eventHubName,
    consumerGroup: settings.consumerGroup,
    store: settings.store,
    container: settings.container,
    checkpointContainer: settings.checkpointContainer,
    notes,
    readAt: new Date().toISOString(),
    partitions,
    owners: [...counts]
      .map(([owner, n]) => ({ owner, partitions: n }))
      .sort((a, b) => b.partitions - a.partitions || (a.owner < b.owner ? -1 : 1)),
    totalLag: partitions.reduce((sum, p) => sum + p.lag, 0),
  };
}

/** Leases and host liveness records in one listing, or the leases alone from a Leaser that keeps no host records. */
async function listLeases(leaser: Leaser, abortSignal: AbortSignal | undefined): Promise<LeaseListing> {
  if (keepsHostRecords(leaser)) return leaser.listLeasesAndHosts({ abortSignal });
  return { leases: await leaser.getLeases({ abortSignal }), hosts: [] };
}
