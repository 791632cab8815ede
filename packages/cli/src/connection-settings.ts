import { CliError } from "./cli-error.js";
import { ExitCode } from "./exit-codes.js";

/** Environment variables `eph` reads when the matching flag is not given. */
export const EnvVar = {
  eventHubConnectionString: "EPH_EVENTHUB_CONNECTION_STRING",
  namespace: "EPH_NAMESPACE",
  eventHub: "EPH_EVENTHUB",
  storageConnectionString: "EPH_STORAGE_CONNECTION_STRING",
  storageAccountUrl: "EPH_STORAGE_ACCOUNT_URL",
  store: "EPH_STORE",
  container: "EPH_CONTAINER",
  checkpointContainer: "EPH_CHECKPOINT_CONTAINER",
  checkpointLayout: "EPH_CHECKPOINT_LAYOUT",
  consumerGroup: "EPH_CONSUMER_GROUP",
} as const;

/**
 * The stores `eph` reads and writes, as the hosts' leaser and checkpointer use them. PostgreSQL joins
 * this list when its leaser and checkpointer packages exist: add its kind here and its opening in
 * `stores.ts`; the compiler then points at every place that must know it.
 */
export const storeKinds = ["blob", "table"] as const;

/** One of {@link storeKinds}. */
export type StoreKind = (typeof storeKinds)[number];

/** How `eph` signs in to a service: with a connection string, or with Microsoft Entra ID. */
export type Access =
  | { readonly kind: "connection-string"; readonly connectionString: string }
  /** `DefaultAzureCredential` from `@azure/identity`; for Storage, `url` is the account's endpoint. */
  | { readonly kind: "entra-id"; readonly url: string };

/** Where `eph status` and `eph checkpoints` find the hub and the stores. Holds secrets: never print it. */
export interface ConnectionSettings {
  /**
   * How to reach the hub: a connection string naming it (`EntityPath`), in the form the client accepts,
   * or Entra ID with `url` the namespace host.
   */
  readonly hubAccess: Access;
  /** Namespace host (and port) in lower case, as hosts write it in their lease keys. */
  readonly fullyQualifiedNamespace: string;
  /** The event hub. */
  readonly eventHubName: string;
  /** The consumer group. */
  readonly consumerGroup: string;
  /** How to reach the Storage account of the leases and checkpoints. */
  readonly storageAccess: Access;
  /** Which store the hosts use. */
  readonly store: StoreKind;
  /** The blob container (or table) of the leases, and of the checkpoints unless `checkpointContainer` differs. */
  readonly container: string;
  /** The blob container (or table) of the checkpoints. */
  readonly checkpointContainer: string;
  /** How the hosts' checkpointer names checkpoints: `eph` (default) or the Azure SDK's layout of that store. */
  readonly checkpointLayout: string;
  /** Every secret value in the two connection strings, for scrubbing messages. */
  readonly secrets: readonly string[];
}

/** The values a command line gave for the connection flags (undefined when absent). */
export interface ConnectionFlags {
  readonly eventHubConnectionString?: string | undefined;
  readonly namespace?: string | undefined;
  readonly eventHub?: string | undefined;
  readonly storageConnectionString?: string | undefined;
  readonly storageAccountUrl?: string | undefined;
  readonly store?: string | undefined;
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
export function parseStorageConnectionString(text: string, store: StoreKind = "blob"): { secrets: string[] } {
  const what = "Storage connection string";
  const values = segments(text, what);
  const secrets = [values.get("accountkey"), values.get("sharedaccesssignature")].filter(
    (s): s is string => typeof s === "string" && s.length > 0,
  );
  if (values.get("usedevelopmentstorage")?.toLowerCase() === "true") return { secrets };
  const hasKey = values.has("accountname") && values.has("accountkey");
  const endpoint = store === "blob" ? "BlobEndpoint" : "TableEndpoint";
  const hasSas =
    values.has("sharedaccesssignature") && (values.has(endpoint.toLowerCase()) || values.has("accountname"));
  if (!hasKey && !hasSas) {
    throw configError(
      `The ${what} needs "AccountName" and "AccountKey", or "SharedAccessSignature" with "${endpoint}" ` +
        '(or "UseDevelopmentStorage=true").',
    );
  }
  return { secrets };
}

/** A name fit to quote in a message: short and made of name characters only, else a placeholder. */
function safeName(value: string): string {
  return /^[A-Za-z0-9$._-]{1,64}$/.test(value) ? value : "<not a name>";
}

function usageError(message: string): CliError {
  return new CliError(ExitCode.Usage, message);
}

const tableName = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
const layouts: Readonly<Record<StoreKind, readonly string[]>> = {
  blob: ["eph", "checkpointstore-blob"],
  table: ["eph", "checkpointstore-table"],
};

/** A namespace as `--namespace` takes it: `contoso` or `contoso.servicebus.windows.net` (a port may follow). */
export function parseNamespace(text: string): string {
  const host = text.replace(/^(sb|amqps?|https?):\/\//i, "").replace(/\/$/, "");
  if (!/^[A-Za-z0-9]([A-Za-z0-9.-]{0,253}[A-Za-z0-9])?(:\d{1,5})?$/.test(host)) {
    throw configError(
      `The namespace "${safeName(text)}" is not a namespace name or host (e.g. contoso or contoso.servicebus.windows.net).`,
    );
  }
  return (host.includes(".") ? host : `${host}.servicebus.windows.net`).toLowerCase();
}

/**
 * A Storage account URL as `--storage-account-url` takes it. Only https: Entra ID tokens are never sent
 * in clear text (the SDKs refuse to). A query string could hold a SAS, which is a secret: refused unquoted.
 */
export function parseStorageAccountUrl(text: string, store: StoreKind): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw configError(
      `The Storage account URL is not a URL (e.g. https://contoso.${store}.core.windows.net; its value is not shown).`,
    );
  }
  if (url.search !== "" || url.username !== "" || url.password !== "") {
    throw configError(
      "The Storage account URL must not carry a query string or credentials: eph signs in with Entra ID (use a connection string for a SAS).",
    );
  }
  if (url.protocol !== "https:") {
    throw configError("The Storage account URL must start with https://: Entra ID tokens are only sent over TLS.");
  }
  const other = store === "blob" ? "table" : "blob";
  if (url.hostname.includes(`.${other}.`)) {
    throw configError(
      `The Storage account URL is a ${other} endpoint but the store is ${store}: pass --store ${other}, or the account's ${store} endpoint.`,
    );
  }
  return url.href.replace(/\/$/, "");
}

/**
 * Picks one of two ways to name a service, a flag winning over the environment. Both flags at once is a
 * usage error; both variables at once is ambiguous too (which one did the operator mean?).
 */
function either(
  flags: readonly [string | undefined, string | undefined],
  envs: readonly [string | undefined, string | undefined],
  names: readonly [string, string, string, string],
): [string | undefined, string | undefined] {
  const [flagA, flagB] = flags;
  if (flagA && flagB) throw usageError(`Give ${names[0]} or ${names[1]}, not both.`);
  if (flagA) return [flagA, undefined];
  if (flagB) return [undefined, flagB];
  const [envA, envB] = envs;
  if (envA && envB) throw configError(`Both ${names[2]} and ${names[3]} are set: unset one of them.`);
  return [envA, envB];
}

/**
 * Resolves the connection settings from flags, falling back on the environment. A missing or malformed
 * connection string, namespace or account URL is a `CliError` with exit code 3; a missing or malformed
 * name (container, table, consumer group, layout, store) is a usage error (exit code 2). Every message
 * names the flag and the variable, never a secret.
 */
export function resolveConnectionSettings(
  flags: ConnectionFlags,
  env: Readonly<Record<string, string | undefined>>,
): ConnectionSettings {
  const clean = (value: string | undefined): string | undefined =>
    value === undefined || value.trim() === "" ? undefined : value.trim();
  const pick = (flag: string | undefined, variable: string): string | undefined => clean(flag) ?? clean(env[variable]);

  const storeText = pick(flags.store, EnvVar.store) ?? "blob";
  const store = storeKinds.find((k) => k === storeText);
  if (!store) {
    throw usageError(
      `The store must be ${storeKinds.join(" or ")} (--store or ${EnvVar.store}); got "${safeName(storeText)}".`,
    );
  }
  const [hubText, namespaceText] = either(
    [clean(flags.eventHubConnectionString), clean(flags.namespace)],
    [clean(env[EnvVar.eventHubConnectionString]), clean(env[EnvVar.namespace])],
    ["--eventhub-connection-string", "--namespace", EnvVar.eventHubConnectionString, EnvVar.namespace],
  );
  if (!hubText && !namespaceText) {
    throw configError(
      `No Event Hubs connection string or namespace: pass --eventhub-connection-string (or set ${EnvVar.eventHubConnectionString}), ` +
        `or sign in with Entra ID: --namespace (or ${EnvVar.namespace}) and --eventhub.`,
    );
  }
  const [storageText, accountUrlText] = either(
    [clean(flags.storageConnectionString), clean(flags.storageAccountUrl)],
    [clean(env[EnvVar.storageConnectionString]), clean(env[EnvVar.storageAccountUrl])],
    ["--storage-connection-string", "--storage-account-url", EnvVar.storageConnectionString, EnvVar.storageAccountUrl],
  );
  if (!storageText && !accountUrlText) {
    throw configError(
      `No Storage connection string or account URL: pass --storage-connection-string (or set ${EnvVar.storageConnectionString}), ` +
        `or sign in with Entra ID: --storage-account-url (or ${EnvVar.storageAccountUrl}).`,
    );
  }
  const what = store === "blob" ? "container" : "table";
  const container = pick(flags.container, EnvVar.container);
  if (!container) {
    throw usageError(`No ${what}: pass --container or set ${EnvVar.container} (the ${what} your hosts use).`);
  }
  const checkpointContainer = pick(flags.checkpointContainer, EnvVar.checkpointContainer) ?? container;
  for (const [name, flag] of [
    [container, "--container"],
    [checkpointContainer, "--checkpoint-container"],
  ] as const) {
    const valid = store === "blob" ? containerName.test(name) : tableName.test(name);
    if (!valid) {
      throw usageError(
        `${flag}: "${safeName(name)}" is not a valid ${what} name (${
          store === "blob"
            ? "3-63 lower-case letters, digits and single hyphens"
            : "3-63 letters and digits, starting with a letter"
        }).`,
      );
    }
  }
  const checkpointLayout = pick(flags.checkpointLayout, EnvVar.checkpointLayout) ?? "eph";
  if (!layouts[store].includes(checkpointLayout)) {
    throw usageError(
      `--checkpoint-layout: with the ${store} store it must be ${layouts[store].map((l) => `"${l}"`).join(" or ")}; got "${safeName(checkpointLayout)}".`,
    );
  }
  const consumerGroup = pick(flags.consumerGroup, EnvVar.consumerGroup) ?? "$Default";
  if (!consumerGroupName.test(consumerGroup)) {
    throw usageError(`--consumer-group: "${safeName(consumerGroup)}" is not a valid consumer group name.`);
  }
  const eventHub = pick(flags.eventHub, EnvVar.eventHub);
  let hubAccess: Access;
  let fullyQualifiedNamespace: string;
  let eventHubName: string;
  const secrets: string[] = [];
  if (hubText) {
    const hub = parseEventHubConnectionString(hubText, eventHub);
    hubAccess = { kind: "connection-string", connectionString: hub.connectionString };
    fullyQualifiedNamespace = hub.fullyQualifiedNamespace;
    eventHubName = hub.eventHubName;
    secrets.push(...hub.secrets);
  } else {
    fullyQualifiedNamespace = parseNamespace(namespaceText as string);
    if (!eventHub) throw usageError(`No event hub: with --namespace, pass --eventhub or set ${EnvVar.eventHub}.`);
    if (!hubName.test(eventHub)) throw usageError(`--eventhub: "${safeName(eventHub)}" is not a valid event hub name.`);
    hubAccess = { kind: "entra-id", url: fullyQualifiedNamespace };
    eventHubName = eventHub;
  }
  let storageAccess: Access;
  if (storageText) {
    secrets.push(...parseStorageConnectionString(storageText, store).secrets);
    storageAccess = { kind: "connection-string", connectionString: storageText };
  } else {
    storageAccess = { kind: "entra-id", url: parseStorageAccountUrl(accountUrlText as string, store) };
  }
  return {
    hubAccess,
    fullyQualifiedNamespace,
    eventHubName,
    consumerGroup,
    storageAccess,
    store,
    container,
    checkpointContainer,
    checkpointLayout,
    secrets,
  };
}
