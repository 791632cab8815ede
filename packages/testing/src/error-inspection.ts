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
