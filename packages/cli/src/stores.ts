import { TableClient } from "@azure/data-tables";
import type { TokenCredential } from "@azure/identity";
import { ContainerClient } from "@azure/storage-blob";
import { BlobCheckpointer } from "@eph/checkpointer-blob";
import { TableCheckpointer } from "@eph/checkpointer-table";
import type { Checkpointer, HostInfo, Leaser } from "@eph/core";
import { BlobLeaser } from "@eph/leaser-blob";
import { TableLeaser } from "@eph/leaser-table";
import type { ConnectionSettings, StoreKind } from "./connection-settings.js";
import { toCliError } from "./error-classification.js";

/** The lease and checkpoint stores of one hub and consumer group, as the hosts see them. */
export interface Stores {
  readonly leaser: Leaser;
  readonly checkpointer: Checkpointer;
  /** Closes both stores. */
  close(): Promise<void>;
}

/** `eph`'s words for a store's parts, in messages. */
export function storeWords(store: StoreKind): { readonly container: string } {
  return { container: store === "blob" ? "container" : "table" };
}

function openBlob(settings: ConnectionSettings, timeoutMs: number, credential: TokenCredential | undefined) {
  // Few retries: an operator waiting at a terminal wants a clear failure, not minutes of back-off.
  const clientOptions = { retryOptions: { maxTries: 2, tryTimeoutInMs: timeoutMs, retryDelayInMs: 300 } };
  const access = settings.storageAccess;
  const layout = settings.checkpointLayout as "eph" | "checkpointstore-blob";
  if (access.kind === "connection-string") {
    return {
      leaser: BlobLeaser.fromConnectionString(access.connectionString, settings.container, { clientOptions }),
      checkpointer: BlobCheckpointer.fromConnectionString(access.connectionString, settings.checkpointContainer, {
        clientOptions,
        layout,
      }),
    };
  }
  const container = (name: string) => new ContainerClient(`${access.url}/${name}`, credential, clientOptions);
  return {
    leaser: new BlobLeaser(container(settings.container)),
    checkpointer: new BlobCheckpointer(container(settings.checkpointContainer), { layout }),
  };
}

function openTable(settings: ConnectionSettings, credential: TokenCredential | undefined) {
  const clientOptions = { retryOptions: { maxRetries: 1, retryDelayInMs: 300 } };
  const access = settings.storageAccess;
  const layout = settings.checkpointLayout as "eph" | "checkpointstore-table";
  if (access.kind === "connection-string") {
    return {
      leaser: TableLeaser.fromConnectionString(access.connectionString, settings.container, { clientOptions }),
      checkpointer: TableCheckpointer.fromConnectionString(access.connectionString, settings.checkpointContainer, {
        clientOptions,
        layout,
      }),
    };
  }
  const table = (name: string) => new TableClient(access.url, name, credential as TokenCredential, clientOptions);
  return {
    leaser: new TableLeaser(table(settings.container)),
    checkpointer: new TableCheckpointer(table(settings.checkpointContainer), { layout }),
  };
}

/**
 * Opens the leaser and checkpointer the hosts use, of the store `settings` names, scoped to the same
 * namespace, hub and consumer group, under `hostName` (the owner written if this process takes a lease).
 * `credential` is used when the settings sign in to Storage with Entra ID.
 */
export function openStores(
  settings: ConnectionSettings,
  hostName: string,
  timeoutMs: number,
  credential: TokenCredential | undefined,
): Stores {
  let stores: { leaser: Leaser; checkpointer: Checkpointer };
  try {
    stores = settings.store === "blob" ? openBlob(settings, timeoutMs, credential) : openTable(settings, credential);
  } catch (error) {
    throw toCliError(error, `Opening the ${settings.store} stores`, settings.secrets);
  }
  const info: HostInfo = {
    hostName,
    fullyQualifiedNamespace: settings.fullyQualifiedNamespace,
    eventHubName: settings.eventHubName,
    consumerGroup: settings.consumerGroup,
  };
  stores.leaser.setEventProcessorHost(info);
  stores.checkpointer.setEventProcessorHost(info);
  const { leaser, checkpointer } = stores;
  return {
    leaser,
    checkpointer,
    async close() {
      await Promise.allSettled([leaser.close(), checkpointer.close()]);
    },
  };
}
