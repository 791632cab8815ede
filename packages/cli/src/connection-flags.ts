import { type FlagSpec, type FlagValues, stringFlag } from "./command-line.js";
import { type ConnectionFlags, EnvVar } from "./connection-settings.js";

/** The flags naming the hub and the stores, shared by `status` and `checkpoints`. */
export const connectionFlagSpec: FlagSpec = {
  "eventhub-connection-string": { type: "string" },
  eventhub: { type: "string" },
  "consumer-group": { type: "string" },
  "storage-connection-string": { type: "string" },
  container: { type: "string" },
  "checkpoint-container": { type: "string" },
  "checkpoint-layout": { type: "string" },
  timeout: { type: "string" },
};

/** Help text for {@link connectionFlagSpec}. Shows variable names only, never their values. */
export const connectionFlagHelp = `Connection (a flag wins over its environment variable):
  --eventhub-connection-string S  Event Hubs connection string      [env ${EnvVar.eventHubConnectionString}]
  --eventhub NAME                 event hub, if S has no EntityPath  [env ${EnvVar.eventHub}]
  --consumer-group NAME           consumer group (default $Default)  [env ${EnvVar.consumerGroup}]
  --storage-connection-string S   Storage account of the leases and checkpoints
                                                                     [env ${EnvVar.storageConnectionString}]
  --container NAME                blob container of your hosts' leases (and checkpoints)
                                                                     [env ${EnvVar.container}]
  --checkpoint-container NAME     if the checkpoints are in another container
                                                                     [env ${EnvVar.checkpointContainer}]
  --checkpoint-layout LAYOUT      eph (default) or checkpointstore-blob, as given to BlobCheckpointer
                                                                     [env ${EnvVar.checkpointLayout}]
  --timeout SECONDS               give up on an unresponsive service (default 30)
  Prefer the environment variables for connection strings: command-line arguments are visible to
  other users of the machine (ps). eph never prints a key, a signature or a connection string.
`;

/** Picks the connection flags out of parsed values. */
export function connectionFlags(values: FlagValues): ConnectionFlags {
  return {
    eventHubConnectionString: stringFlag(values, "eventhub-connection-string"),
    eventHub: stringFlag(values, "eventhub"),
    storageConnectionString: stringFlag(values, "storage-connection-string"),
    container: stringFlag(values, "container"),
    checkpointContainer: stringFlag(values, "checkpoint-container"),
    checkpointLayout: stringFlag(values, "checkpoint-layout"),
    consumerGroup: stringFlag(values, "consumer-group"),
  };
}
