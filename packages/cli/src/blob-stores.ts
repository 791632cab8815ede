import { BlobCheckpointer } from "@eph/checkpointer-blob";
import type { Checkpointer, HostInfo, Leaser } from "@eph/core";
import { BlobLeaser } from "@eph/leaser-blob";
import type { ConnectionSettings } from "./connection-settings.js";
import { toCliError } from "./error-classification.js";

/** The lease and checkpoint stores of one hub and consumer group, as hosts using the blob stores see them. */
export interface Stores {
  readonly leaser: Leaser;
  readonly checkpointer: Checkpointer;
  /** Closes both stores. */
  close(): Promise<void>;
}

/**
 * Opens the blob leaser and checkpointer the hosts use, scoped to the same namespace, hub and consumer
 * group, under `hostName` (the owner written if this process takes a lease).
 */
export function openBlobStores(settings: ConnectionSettings, hostName: string, timeoutMs = 30_000): Stores {
  let leaser: Leaser;
  let checkpointer: Checkpointer;
  try {
    // Few retries: an operator waiting at a terminal wants a clear failure, not minutes of back-off.
    const clientOptions = { retryOptions: { maxTries: 2, tryTimeoutInMs: timeoutMs, retryDelayInMs: 300 } };
    leaser = BlobLeaser.fromConnectionString(settings.storageConnectionString, settings.container, { clientOptions });
    checkpointer = BlobCheckpointer.fromConnectionString(
      settings.storageConnectionString,
      settings.checkpointContainer,
      {
        clientOptions,
        layout: settings.checkpointLayout,
      },
    );
  } catch (error) {
    throw toCliError(error, "Opening the blob stores", settings.secrets);
  }
  const info: HostInfo = {
    hostName,
    fullyQualifiedNamespace: settings.fullyQualifiedNamespace,
    eventHubName: settings.eventHubName,
    consumerGroup: settings.consumerGroup,
  };
  leaser.setEventProcessorHost(info);
  checkpointer.setEventProcessorHost(info);
  return {
    leaser,
    checkpointer,
    async close() {
      await Promise.allSettled([leaser.close(), checkpointer.close()]);
    },
  };
}
