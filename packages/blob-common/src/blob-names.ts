import { EphError, type HostInfo } from "@eph/core";

/** The longest blob name the service accepts. */
const MAX_BLOB_NAME = 1024;

// Characters that cannot stand in one segment of a blob path: the separators (the service treats `\`
// like `/`), and control characters, which cannot travel in a URL path unharmed.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused.
const FORBIDDEN_IN_SEGMENT = /[/\\\u0000-\u001f\u007f-\u009f]/;

// A UTF-16 surrogate without its partner cannot be percent-encoded into a URL.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Checks one segment of a blob path: non-empty, no separator or control character, and not ending in
 * a dot (`.` and `..` are removed by URL normalisation, and the service drops trailing dots).
 */
export function pathSegment(what: string, value: unknown, partitionId?: string): string {
  if (typeof value !== "string" || value === "") {
    throw new EphError("InvalidOption", `${what} must be a non-empty string.`, { partitionId });
  }
  if (FORBIDDEN_IN_SEGMENT.test(value) || LONE_SURROGATE.test(value) || value.endsWith(".") || value.length > 256) {
    throw new EphError(
      "InvalidOption",
      `${what} ${JSON.stringify(value.slice(0, 300))} cannot be part of a blob name (at most 256 characters, no / or \\ or control characters or lone surrogates, not ending in a dot).`,
      { partitionId },
    );
  }
  return value;
}

/**
 * `<namespace>/<event hub>/<consumer group>/`, lower-cased because Event Hubs names are
 * case-insensitive: `$Default` and `$default` are the same consumer group and must share records.
 */
export function scopePrefix(info: HostInfo): string {
  const fqns = pathSegment("HostInfo.fullyQualifiedNamespace", info.fullyQualifiedNamespace).toLowerCase();
  const hub = pathSegment("HostInfo.eventHubName", info.eventHubName).toLowerCase();
  const group = pathSegment("HostInfo.consumerGroup", info.consumerGroup).toLowerCase();
  return `${fqns}/${hub}/${group}/`;
}

/** The blob name of `partitionId` under `prefix` (which ends with `/`); `InvalidOption` if it cannot be one. */
export function partitionBlobName(prefix: string, partitionId: unknown): string {
  const pid = pathSegment("partitionId", partitionId, typeof partitionId === "string" ? partitionId : undefined);
  const name = `${prefix}${pid}`;
  if (name.length > MAX_BLOB_NAME) {
    throw new EphError(
      "InvalidOption",
      `The blob name for partition ${pid} would exceed ${MAX_BLOB_NAME} characters.`,
      {
        partitionId: pid,
      },
    );
  }
  return name;
}

/** The partition id a listed blob name stands for, or `undefined` when the name is not one of ours. */
export function partitionIdOf(prefix: string, blobName: string): string | undefined {
  if (!blobName.startsWith(prefix)) return undefined;
  const rest = blobName.slice(prefix.length);
  try {
    return pathSegment("partitionId", rest);
  } catch {
    return undefined;
  }
}
