import { EphError, requireConnectionString } from "@eph/core";
import { isHostName } from "./environment.js";

/** An Event Hubs connection string, parsed and checked. Holds secrets: never log it. */
export interface ParsedConnectionString {
  /** Host (and port, if given) of the namespace, e.g. `contoso.servicebus.windows.net`. */
  readonly fullyQualifiedNamespace: string;
  /** The event hub (`EntityPath`). */
  readonly eventHubName: string;
  /** `SharedAccessKeyName`, when the string authenticates with a key. */
  readonly sharedAccessKeyName?: string;
  /** Secret values found in the string; used to scrub any message before it is shown. */
  readonly secrets: readonly string[];
  /** True with `UseDevelopmentEmulator=true` (plain TCP to a local emulator). */
  readonly useDevelopmentEmulator: boolean;
  /** The same settings written in canonical form, ready for the Event Hubs client. */
  readonly canonical: string;
}

const knownKeys = [
  "Endpoint",
  "SharedAccessKeyName",
  "SharedAccessKey",
  "SharedAccessSignature",
  "EntityPath",
  "UseDevelopmentEmulator",
] as const;
type Key = (typeof knownKeys)[number];

const hubName = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,254}[A-Za-z0-9])?$/;

function fail(message: string): never {
  throw new EphError("InvalidConnectionString", message);
}

/**
 * Parses an Event Hubs connection string (`Endpoint=sb://…/;SharedAccessKeyName=…;SharedAccessKey=…;
 * EntityPath=…`, or with `SharedAccessSignature=…`). Every problem is reported as an
 * `InvalidConnectionString` error naming the offending setting; secret values are never quoted, and
 * neither is any segment that could not be parsed (it might be a key pasted in the wrong place).
 */
export function parseConnectionString(connectionString: unknown): ParsedConnectionString {
  requireConnectionString(
    connectionString,
    'The Event Hubs connection string (argument "connectionString" of EventProcessorHost.fromConnectionString)',
    "Endpoint=sb://<namespace>.servicebus.windows.net/;SharedAccessKeyName=…;SharedAccessKey=…;EntityPath=<hub>",
  );
  const values = new Map<Key, string>();
  const segments = connectionString.split(";");
  segments.forEach((raw, index) => {
    const segment = raw.trim();
    if (segment === "") return;
    const eq = segment.indexOf("=");
    if (eq <= 0) fail(`Segment ${index + 1} of the connection string is not of the form Key=Value.`);
    const name = segment.slice(0, eq).trim();
    const value = segment.slice(eq + 1).trim();
    const key = knownKeys.find((k) => k.toLowerCase() === name.toLowerCase());
    if (key === undefined) {
      fail(
        /^[A-Za-z]{1,40}$/.test(name)
          ? `The connection string has an unknown setting "${name}"; expected ${knownKeys.join(", ")}.`
          : `Segment ${index + 1} of the connection string has an unknown setting.`,
      );
    }
    if (values.has(key)) fail(`The connection string sets "${key}" more than once.`);
    values.set(key, value);
  });

  const endpoint = values.get("Endpoint");
  if (!endpoint) fail('The connection string has no "Endpoint" (e.g. Endpoint=sb://contoso.servicebus.windows.net/).');
  const match = /^sb:\/\/([^/]+)\/?$/i.exec(endpoint);
  if (!match || !isHostName(match[1] as string)) {
    fail('The connection string\'s "Endpoint" must look like sb://<namespace host>/.');
  }
  const fullyQualifiedNamespace = (match[1] as string).toLowerCase();

  const eventHubName = values.get("EntityPath");
  if (!eventHubName) fail('The connection string has no "EntityPath": it must name the event hub.');
  if (!hubName.test(eventHubName)) {
    fail('The connection string\'s "EntityPath" is not a valid event hub name.');
  }

  const keyName = values.get("SharedAccessKeyName");
  const key = values.get("SharedAccessKey");
  const signature = values.get("SharedAccessSignature");
  const secrets = [key, signature].filter((s): s is string => typeof s === "string" && s.length > 0);
  if (signature === undefined) {
    if (!keyName) fail('The connection string has no "SharedAccessKeyName" (nor a "SharedAccessSignature").');
    if (!key) fail('The connection string has no "SharedAccessKey" (nor a "SharedAccessSignature").');
  } else {
    if (keyName !== undefined || key !== undefined) {
      fail('The connection string must use either "SharedAccessSignature" or a shared access key, not both.');
    }
    if (!/^SharedAccessSignature\s+\S/.test(signature) || !/(^|[\s&])sig=/.test(signature)) {
      fail(
        'The connection string\'s "SharedAccessSignature" must be a token such as "SharedAccessSignature sr=…&sig=…".',
      );
    }
  }

  const emulatorFlag = values.get("UseDevelopmentEmulator");
  if (emulatorFlag !== undefined && !/^(true|false)$/i.test(emulatorFlag)) {
    fail('The connection string\'s "UseDevelopmentEmulator" must be true or false.');
  }
  const useDevelopmentEmulator = emulatorFlag?.toLowerCase() === "true";

  const parts = [`Endpoint=sb://${fullyQualifiedNamespace}/`];
  if (signature !== undefined) parts.push(`SharedAccessSignature=${signature}`);
  else parts.push(`SharedAccessKeyName=${keyName}`, `SharedAccessKey=${key}`);
  parts.push(`EntityPath=${eventHubName}`);
  if (useDevelopmentEmulator) parts.push("UseDevelopmentEmulator=true");

  return {
    fullyQualifiedNamespace,
    eventHubName,
    ...(keyName ? { sharedAccessKeyName: keyName } : {}),
    secrets,
    useDevelopmentEmulator,
    canonical: parts.join(";"),
  };
}
