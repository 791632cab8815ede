import { inspect } from "node:util";

/** The parts of an `EphError` (from `@eph/core`) that tests look at, spelled out so this package needs no eph dependency. */
export interface RejectionError extends Error {
  /** The error's code, e.g. `StoreUnavailable`. */
  readonly code?: string;
  /** The partition concerned, when there is one. */
  readonly partitionId?: string;
}

/** What `promise` rejected with; fails the test when it fulfilled instead. */
export async function rejection<E = RejectionError>(promise: Promise<unknown>): Promise<E> {
  try {
    await promise;
  } catch (error) {
    return error as E;
  }
  throw new Error("expected a rejection");
}

/**
 * Everything a user could see of an error: message, stack, cause chain and properties, hidden ones
 * included. Tests look for secrets in it.
 */
export function exposed(error: unknown): string {
  return `${String(error)}\n${(error as Error).stack}\n${inspect(error, { depth: 10, showHidden: true })}\n${JSON.stringify(error)}`;
}

/**
 * How an account key can show in printed text: as given (base64), and as the bytes `util.inspect` prints
 * for the `Buffer` a `StorageSharedKeyCredential` keeps (`<Buffer 11 bc …>`). Tests look for both.
 */
export function keyForms(accountKey: string): string[] {
  const bytes = Buffer.from(accountKey, "base64").subarray(0, 8);
  return [accountKey, [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ")];
}
