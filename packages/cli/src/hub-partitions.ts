import { EventHubConsumerClient, type PartitionProperties } from "@azure/event-hubs";
import type { ConnectionSettings } from "./connection-settings.js";
import { toCliError } from "./error-classification.js";

/** What the hub says about one partition. */
export interface HubPartition {
  /** The partition. */
  readonly partitionId: string;
  /** Sequence number of the oldest retained event. */
  readonly beginningSequenceNumber: number;
  /** Sequence number of the newest event; -1 when the partition never had one. */
  readonly lastEnqueuedSequenceNumber: number;
  /** Offset of the newest event. */
  readonly lastEnqueuedOffset: string;
  /** When the newest event was enqueued. */
  readonly lastEnqueuedOn: Date | undefined;
  /** True when no event is retained. */
  readonly isEmpty: boolean;
}

/** Opens a client for the hub; it retries little, so an unreachable hub fails in seconds. */
export function openHubClient(settings: ConnectionSettings, timeoutMs: number): EventHubConsumerClient {
  try {
    return new EventHubConsumerClient(settings.consumerGroup, settings.eventHubConnectionString, {
      retryOptions: { maxRetries: 1, retryDelayInMs: 300, timeoutInMs: timeoutMs },
      userAgent: "eph-cli",
    });
  } catch (error) {
    throw toCliError(error, "The Event Hubs client refused the connection string", settings.secrets);
  }
}

function toHubPartition(p: PartitionProperties): HubPartition {
  return {
    partitionId: p.partitionId,
    beginningSequenceNumber: p.beginningSequenceNumber,
    lastEnqueuedSequenceNumber: p.isEmpty && p.lastEnqueuedSequenceNumber < 0 ? -1 : p.lastEnqueuedSequenceNumber,
    lastEnqueuedOffset: String(p.lastEnqueuedOffset),
    lastEnqueuedOn: p.lastEnqueuedOnUtc,
    isEmpty: p.isEmpty,
  };
}

/** Reads the partition ids and, for each, the properties (last enqueued sequence number…), all at once. */
export async function readHubPartitions(
  client: EventHubConsumerClient,
  settings: ConnectionSettings,
  abortSignal: AbortSignal,
): Promise<HubPartition[]> {
  let ids: string[];
  try {
    ids = await client.getPartitionIds({ abortSignal });
  } catch (error) {
    throw toCliError(error, `Reading event hub "${settings.eventHubName}"`, settings.secrets);
  }
  try {
    const props = await Promise.all(ids.map((id) => client.getPartitionProperties(id, { abortSignal })));
    return props.map(toHubPartition);
  } catch (error) {
    throw toCliError(error, `Reading the partitions of event hub "${settings.eventHubName}"`, settings.secrets);
  }
}
