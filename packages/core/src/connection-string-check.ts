import { EphError } from "./errors.js";

/** What a value that is not a usable string is, never quoting it (it may be a secret in the wrong place). */
function kindOf(value: unknown): string {
  if (value === undefined) return "undefined (an environment variable that is not set?)";
  if (value === null) return "null";
  if (typeof value === "string") return value === "" ? "an empty string" : "only white space";
  return `a ${typeof value}`;
}

/**
 * Throws `InvalidConnectionString` unless `value` is a non-empty string. The message names `what` (which
 * connection string, and the argument it came in) and shows `expected`; it never quotes the value.
 */
export function requireConnectionString(value: unknown, what: string, expected: string): asserts value is string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new EphError(
      "InvalidConnectionString",
      `${what} must be a non-empty string; got ${kindOf(value)}. Expected ${expected}.`,
    );
  }
}

/**
 * True for `localhost`, `::1` and `127.x.x.x` (brackets allowed): where a plain-http endpoint (Azurite,
 * a storage emulator) may be accepted without sending credentials over the network unencrypted.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/** How an adapter's connection strings are described in the errors of {@link clientFromConnectionString}. */
export interface ConnectionStringSpec {
  /** Which connection string, and the argument it came in, e.g. `The Azure Storage connection string (argument …)`. */
  readonly what: string;
  /** What a valid one looks like. */
  readonly expected: string;
  /** The service whose endpoint it must name, e.g. `blob`. */
  readonly service: string;
  /** How a caller allows a remote plain-http endpoint deliberately, e.g. `set allowInsecureConnection`. */
  readonly allowInsecure: string;
}

/** A client {@link clientFromConnectionString} built, and whether its endpoint is plain http on loopback. */
export interface ConnectedClient<C> {
  /** The client. */
  readonly client: C;
  /** True for an `http:` endpoint on loopback (Azurite), which some clients must be told to accept. */
  readonly loopbackHttp: boolean;
}

/**
 * Builds a client from a connection string with `create` (the SDK's own parser), once for every
 * adapter: `InvalidConnectionString` for a value that is not a non-empty string, one `create` cannot
 * parse, or an endpoint (`endpoint(client)`) that is not a URL; and for a plain-http endpoint off
 * loopback unless `insecure` (credentials would travel over the network unencrypted). No message quotes
 * the connection string.
 */
export function clientFromConnectionString<C>(
  connectionString: unknown,
  spec: ConnectionStringSpec,
  create: (connectionString: string) => C,
  endpoint: (client: C) => string,
  insecure: boolean,
): ConnectedClient<C> {
  requireConnectionString(connectionString, spec.what, spec.expected);
  const refuse = (problem: string) => new EphError("InvalidConnectionString", `The connection string ${problem}.`);
  let client: C;
  let url: URL;
  try {
    client = create(connectionString);
  } catch {
    throw refuse(`could not be parsed as one with a ${spec.service} endpoint (its contents are not shown)`);
  }
  try {
    url = new URL(endpoint(client));
  } catch {
    throw refuse(`does not name a valid ${spec.service} endpoint`);
  }
  const plainHttp = url.protocol === "http:";
  if (plainHttp && !isLoopbackHost(url.hostname) && !insecure) {
    const where = `${url.protocol}//${url.host}`;
    throw refuse(
      `names the ${spec.service} endpoint ${where}, plain http and not on loopback; use https (or ${spec.allowInsecure} deliberately)`,
    );
  }
  return { client, loopbackHttp: plainHttp && isLoopbackHost(url.hostname) };
}
