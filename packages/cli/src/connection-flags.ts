import { type FlagSpec, type FlagValues, stringFlag } from "./command-line.js";
import { type ConnectionFlags, EnvVar } from "./connection-settings.js";

/** The flags naming the hub and the stores, shared by `status` and `checkpoints`. */
export const connectionFlagSpec: FlagSpec = {
  "eventhub-connection-string": { type: "string" },
  namespace: { type: "string" },
  eventhub: { type: "string" },
  "consumer-group": { type: "string" },
  "storage-connection-string": { type: "string" },
  "storage-account-url": { type: "string" },
  store: { type: "string" },
  container: { type: "string" },
  "checkpoint-container": { type: "string" },
  "checkpoint-layout": { type: "string" },
  timeout: { type: "string" },
};

/** Help text for {@link connectionFlagSpec}. Shows variable names only, never their values. */
export const connectionFlagHelp = `Connection (a flag wins over its environment variable):
  --eventhub-connection-string S  Event Hubs connection string      [env ${EnvVar.eventHubConnectionString}]
  --namespace NS                  or sign in with Entra ID to namespace NS (NAME or
                                  NAME.servicebus.windows.net)      [env ${EnvVar.namespace}]
  --eventhub NAME                 event hub (needed with --namespace, or if S has no EntityPath)
                                                                     [env ${EnvVar.eventHub}]
  --consumer-group NAME           consumer group (default $Default)  [env ${EnvVar.consumerGroup}]
  --storage-connection-string S   Storage account of the leases and checkpoints
                                                                     [env ${EnvVar.storageConnectionString}]
  --storage-account-url URL       or sign in with Entra ID to the account's blob (or table) endpoint,
                                  e.g. https://ACCOUNT.blob.core.windows.net
                                                                     [env ${EnvVar.storageAccountUrl}]
  --store KIND                    blob (default) or table: the store of your hosts' leaser and
                                  checkpointer                       [env ${EnvVar.store}]
  --container NAME                blob container (or table) of your hosts' leases and checkpoints
                                                                     [env ${EnvVar.container}]
  --checkpoint-container NAME     if the checkpoints are in another container (or table)
                                                                     [env ${EnvVar.checkpointContainer}]
  --checkpoint-layout LAYOUT      eph (default), checkpointstore-blob or checkpointstore-table, as
                                  given to the checkpointer          [env ${EnvVar.checkpointLayout}]
  --timeout SECONDS               give up on an unresponsive service (default 30)
  Entra ID sign-in uses DefaultAzureCredential (az login, environment variables, managed identity);
  the identity needs Azure Event Hubs Data Receiver and Storage Blob (or Table) Data Contributor.
  Prefer the environment variables for connection strings: command-line arguments are visible to
  other users of the machine (ps). eph never prints a key, a signature or a connection string.
`;

/** Picks the connection flags out of parsed values. */
export function connectionFlags(values: FlagValues): ConnectionFlags {
  return {
    eventHubConnectionString: stringFlag(values, "eventhub-connection-string"),
    namespace: stringFlag(values, "namespace"),
    eventHub: stringFlag(values, "eventhub"),
    storageConnectionString: stringFlag(values, "storage-connection-string"),
    storageAccountUrl: stringFlag(values, "storage-account-url"),
    store: stringFlag(values, "store"),
    container: stringFlag(values, "container"),
    checkpointContainer: stringFlag(values, "checkpoint-container"),
    checkpointLayout: stringFlag(values, "checkpoint-layout"),
    consumerGroup: stringFlag(values, "consumer-group"),
  };
}
