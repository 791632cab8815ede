import { EphError, type RecordScope, scopeKeyParts } from "@eph/core";

/** The longest blob name the service accepts. */
const MAX_BLOB_NAME = 1024;

// Characters that cannot stand in one segment of a blob path: the separators (the service treats `\`
// like `/`), and control characters, which cannot travel in a URL path unharmed.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused.
const FORBIDDEN_IN_SEGMENT = /[/\\\u0000-\u001f\u007f-\u009f]/;

// A UTF-16 surrogate without its partner cannot be percent-encoded into a URL.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Checks one segment of a blob path taken as it is (namespace, hub and consumer group, which KEDA and
 * the official checkpoint store read unescaped): non-empty, no separator, control character or lone
 * surrogate, at most 256 characters, and not ending in a dot (`.` and `..` are removed by URL
 * normalisation, and the service drops trailing dots). `InvalidOption` naming `what` otherwise.
 */
export function pathSegment(what: string, value: string): string {
  if (FORBIDDEN_IN_SEGMENT.test(value) || LONE_SURROGATE.test(value) || value.endsWith(".") || value.length > 256) {
    throw new EphError(
      "InvalidOption",
      `${what} ${JSON.stringify(value.slice(0, 300))} cannot be part of a blob name (at most 256 characters, no / or \\ or control characters or lone surrogates, not ending in a dot).`,
    );
  }
  return value;
}

/** `<namespace>/<event hub>/<consumer group>/`, the names checked and lower-cased (core's `scopeKeyParts`). */
export function scopePrefix(scope: RecordScope): string {
  return `${scopeKeyParts(scope, pathSegment).join("/")}/`;
}

// What a record id cannot hold as it is in the last segment of a blob name: separators, control
// characters and lone surrogates (see above), a trailing dot, `%` (the SDK sends it unescaped, so the
// service would decode it) and `!`, the escape character itself. Event Hubs partition ids ("0", "31")
// hold none of them, so their blobs keep the names KEDA and the official checkpoint store look for.
const HAZARD =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is escaped.
  /[!%/\\\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|\.$/g;

/** A record id as the last segment of a blob name: each hazardous UTF-16 unit as `!` and 4 hex digits. */
export function escapeId(id: string): string {
  return id.replace(HAZARD, (unit) => `!${unit.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The id a blob name's last segment stands for, or `undefined` when {@link escapeId} would not write it. */
export function unescapeId(segment: string): string | undefined {
  const id = segment.replace(/!([0-9a-f]{4})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return id !== "" && escapeId(id) === segment ? id : undefined;
}

/** The blob name of record `id` under `folder` (which ends with `/`); `InvalidOption` when it is too long. */
export function recordBlobName(folder: string, id: string): string {
  const name = `${folder}${escapeId(id)}`;
  if (name.length > MAX_BLOB_NAME) {
    throw new EphError(
      "InvalidOption",
      `The blob name of id ${JSON.stringify(id.slice(0, 100))}… would exceed ${MAX_BLOB_NAME} characters.`,
      {
        partitionId: id,
      },
    );
  }
  return name;
}
