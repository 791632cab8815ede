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
