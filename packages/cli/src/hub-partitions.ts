import { EventHubConsumerClient, type PartitionProperties } from "@azure/event-hubs";
import type { TokenCredential } from "@azure/identity";
import { CliError } from "./cli-error.js";
import type { ConnectionSettings } from "./connection-settings.js";
import { toCliError } from "./error-classification.js";
import { ExitCode } from "./exit-codes.js";

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

/**
 * Opens a client for the hub, with the connection string or, for Entra ID, `credential`; it retries
 * little, so an unreachable hub fails in seconds.
 */
export function openHubClient(
  settings: ConnectionSettings,
  timeoutMs: number,
  credential?: TokenCredential,
): EventHubConsumerClient {
  const options = {
    retryOptions: { maxRetries: 1, retryDelayInMs: 300, timeoutInMs: timeoutMs },
    userAgent: "eph-cli",
  };
  const access = settings.hubAccess;
  try {
    if (access.kind === "connection-string") {
      return new EventHubConsumerClient(settings.consumerGroup, access.connectionString, options);
    }
    if (!credential) throw new Error("no credential for Entra ID sign-in");
    return new EventHubConsumerClient(settings.consumerGroup, access.url, settings.eventHubName, credential, options);
  } catch (error) {
    throw toCliError(error, "The Event Hubs client refused its settings", settings.secrets);
  }
}

/**
 * A hint for an unreachable hub whose connection string points at this machine without
 * `UseDevelopmentEmulator=true`: the client then speaks TLS, which a local emulator does not.
 */
function emulatorHint(settings: ConnectionSettings): string {
  const access = settings.hubAccess;
  if (access.kind !== "connection-string" || /UseDevelopmentEmulator\s*=\s*true/i.test(access.connectionString)) {
    return "";
  }
  const host = settings.fullyQualifiedNamespace.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  const local = host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
  return local ? " (a local emulator speaks plain AMQP: add UseDevelopmentEmulator=true to the connection string)" : "";
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
    const failure = toCliError(error, `Reading event hub "${settings.eventHubName}"`, settings.secrets);
    const hint = failure.exitCode === ExitCode.Unavailable ? emulatorHint(settings) : "";
    throw hint ? new CliError(failure.exitCode, `${failure.message}${hint}`) : failure;
  }
  try {
    const props = await Promise.all(ids.map((id) => client.getPartitionProperties(id, { abortSignal })));
    return props.map(toHubPartition);
  } catch (error) {
    throw toCliError(error, `Reading the partitions of event hub "${settings.eventHubName}"`, settings.secrets);
  }
}
