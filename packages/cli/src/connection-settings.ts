import { CliError } from "./cli-error.js";
import { ExitCode } from "./exit-codes.js";

/** Environment variables `eph` reads when the matching flag is not given. */
export const EnvVar = {
  eventHubConnectionString: "EPH_EVENTHUB_CONNECTION_STRING",
  eventHub: "EPH_EVENTHUB",
  storageConnectionString: "EPH_STORAGE_CONNECTION_STRING",
  container: "EPH_CONTAINER",
  checkpointContainer: "EPH_CHECKPOINT_CONTAINER",
  checkpointLayout: "EPH_CHECKPOINT_LAYOUT",
  consumerGroup: "EPH_CONSUMER_GROUP",
} as const;

/** Where `eph status` and `eph checkpoints` find the hub and the stores. Holds secrets: never print it. */
export interface ConnectionSettings {
  /** Event Hubs connection string naming the hub (`EntityPath`), in the form the client accepts. */
  readonly eventHubConnectionString: string;
  /** Namespace host (and port) in lower case, as hosts write it in their lease keys. */
  readonly fullyQualifiedNamespace: string;
  /** The event hub. */
  readonly eventHubName: string;
  /** The consumer group. */
  readonly consumerGroup: string;
  /** Storage connection string of the account holding the leases and checkpoints. */
  readonly storageConnectionString: string;
  /** The blob container of the leases (and of the checkpoints, unless `checkpointContainer` differs). */
  readonly container: string;
  /** The blob container of the checkpoints. */
  readonly checkpointContainer: string;
  /** How the hosts' `BlobCheckpointer` names checkpoints: `eph` (default) or `checkpointstore-blob`. */
  readonly checkpointLayout: "eph" | "checkpointstore-blob";
  /** Every secret value in the two connection strings, for scrubbing messages. */
  readonly secrets: readonly string[];
}

/** The values a command line gave for the connection flags (undefined when absent). */
export interface ConnectionFlags {
  readonly eventHubConnectionString?: string | undefined;
  readonly eventHub?: string | undefined;
  readonly storageConnectionString?: string | undefined;
  readonly container?: string | undefined;
  readonly checkpointContainer?: string | undefined;
  readonly checkpointLayout?: string | undefined;
  readonly consumerGroup?: string | undefined;
}

const hubName = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,254}[A-Za-z0-9])?$/;
const consumerGroupName = /^(\$Default|[A-Za-z0-9]([A-Za-z0-9._-]{0,48}[A-Za-z0-9])?)$/;
const containerName = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;

function configError(message: string): CliError {
  return new CliError(ExitCode.Configuration, message);
}

/**
 * Splits a `Key=Value;…` connection string. Problems are described by segment number and key name,
 * never by quoting a value or an unparsable segment (it might be a key pasted in the wrong place).
 */
function segments(text: string, what: string): Map<string, string> {
  const values = new Map<string, string>();
  text.split(";").forEach((raw, index) => {
    const segment = raw.trim();
    if (segment === "") return;
    const eq = segment.indexOf("=");
    if (eq <= 0) throw configError(`Segment ${index + 1} of the ${what} is not of the form Key=Value.`);
    values.set(segment.slice(0, eq).trim().toLowerCase(), segment.slice(eq + 1).trim());
  });
  return values;
}

/** Checks an Event Hubs connection string; returns its namespace, hub and secrets. */
export function parseEventHubConnectionString(
  text: string,
  eventHub: string | undefined,
): { connectionString: string; fullyQualifiedNamespace: string; eventHubName: string; secrets: string[] } {
  const what = "Event Hubs connection string";
  const values = segments(text, what);
  const secrets = [values.get("sharedaccesskey"), values.get("sharedaccesssignature")].filter(
    (s): s is string => typeof s === "string" && s.length > 0,
  );
  const endpoint = values.get("endpoint");
  if (!endpoint)
    throw configError(`The ${what} has no "Endpoint" (e.g. Endpoint=sb://contoso.servicebus.windows.net/).`);
  const match = /^sb:\/\/([A-Za-z0-9.-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?)\/?$/.exec(endpoint);
  if (!match) throw configError(`The ${what}'s "Endpoint" must look like sb://<namespace host>/.`);
  const hasKey = values.has("sharedaccesskeyname") && values.has("sharedaccesskey");
  if (!hasKey && !values.has("sharedaccesssignature")) {
    throw configError(`The ${what} needs "SharedAccessKeyName" and "SharedAccessKey", or "SharedAccessSignature".`);
  }
  const entityPath = values.get("entitypath");
  if (entityPath && eventHub && entityPath !== eventHub) {
    throw configError(
      `The ${what} names event hub "${safeName(entityPath)}" but --eventhub says "${safeName(eventHub)}".`,
    );
  }
  const name = entityPath || eventHub;
  if (!name) {
    throw configError(
      `The ${what} has no "EntityPath": add it, or name the hub with --eventhub or ${EnvVar.eventHub}.`,
    );
  }
  if (!hubName.test(name)) throw configError(`"${safeName(name)}" is not a valid event hub name.`);
  const connectionString = entityPath ? text : `${text.replace(/;\s*$/, "")};EntityPath=${name}`;
  return { connectionString, fullyQualifiedNamespace: (match[1] as string).toLowerCase(), eventHubName: name, secrets };
}

/** Checks a Storage connection string; returns its secrets. */
export function parseStorageConnectionString(text: string): { secrets: string[] } {
  const what = "Storage connection string";
  const values = segments(text, what);
  const secrets = [values.get("accountkey"), values.get("sharedaccesssignature")].filter(
    (s): s is string => typeof s === "string" && s.length > 0,
  );
  if (values.get("usedevelopmentstorage")?.toLowerCase() === "true") return { secrets };
  const hasKey = values.has("accountname") && values.has("accountkey");
  const hasSas = values.has("sharedaccesssignature") && (values.has("blobendpoint") || values.has("accountname"));
  if (!hasKey && !hasSas) {
    throw configError(
      `The ${what} needs "AccountName" and "AccountKey", or "SharedAccessSignature" with "BlobEndpoint" ` +
        '(or "UseDevelopmentStorage=true").',
    );
  }
  return { secrets };
}

/** A name fit to quote in a message: short and made of name characters only, else a placeholder. */
function safeName(value: string): string {
  return /^[A-Za-z0-9$._-]{1,64}$/.test(value) ? value : "<not a name>";
}

/**
 * Resolves the connection settings from flags, falling back on the environment. Every problem is a
 * `CliError` with exit code 3 that names the flag and the variable, never a secret.
 */
export function resolveConnectionSettings(
  flags: ConnectionFlags,
  env: Readonly<Record<string, string | undefined>>,
): ConnectionSettings {
  const pick = (flag: string | undefined, variable: string): string | undefined => {
    const value = flag ?? env[variable];
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  };
  const hubText = pick(flags.eventHubConnectionString, EnvVar.eventHubConnectionString);
  if (!hubText) {
    throw configError(
      `No Event Hubs connection string: pass --eventhub-connection-string or set ${EnvVar.eventHubConnectionString}.`,
    );
  }
  const storageText = pick(flags.storageConnectionString, EnvVar.storageConnectionString);
  if (!storageText) {
    throw configError(
      `No Storage connection string: pass --storage-connection-string or set ${EnvVar.storageConnectionString}.`,
    );
  }
  const container = pick(flags.container, EnvVar.container);
  if (!container) {
    throw configError(`No container: pass --container or set ${EnvVar.container} (the one your hosts use).`);
  }
  if (!containerName.test(container)) {
    throw configError(
      `"${safeName(container)}" is not a valid container name (3-63 lower-case letters, digits and single hyphens).`,
    );
  }
  const checkpointContainer = pick(flags.checkpointContainer, EnvVar.checkpointContainer) ?? container;
  if (!containerName.test(checkpointContainer)) {
    throw configError(`"${safeName(checkpointContainer)}" is not a valid container name for the checkpoints.`);
  }
  const checkpointLayout = pick(flags.checkpointLayout, EnvVar.checkpointLayout) ?? "eph";
  if (checkpointLayout !== "eph" && checkpointLayout !== "checkpointstore-blob") {
    throw configError(
      `The checkpoint layout must be "eph" or "checkpointstore-blob"; got "${safeName(checkpointLayout)}".`,
    );
  }
  const consumerGroup = pick(flags.consumerGroup, EnvVar.consumerGroup) ?? "$Default";
  if (!consumerGroupName.test(consumerGroup)) {
    throw configError(`"${safeName(consumerGroup)}" is not a valid consumer group name.`);
  }
  const hub = parseEventHubConnectionString(hubText, pick(flags.eventHub, EnvVar.eventHub));
  const storage = parseStorageConnectionString(storageText);
  return {
    eventHubConnectionString: hub.connectionString,
    fullyQualifiedNamespace: hub.fullyQualifiedNamespace,
    eventHubName: hub.eventHubName,
    consumerGroup,
    storageConnectionString: storageText,
    container,
    checkpointContainer,
    checkpointLayout,
    secrets: [...hub.secrets, ...storage.secrets],
  };
}
