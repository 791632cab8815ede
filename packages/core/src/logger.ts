/**
 * The logging surface eph writes to. It has the shape of an `AzureLogger` from `@azure/logger`, so the
 * host passes `createClientLogger("eph")` and users control it with `AZURE_LOG_LEVEL`; core itself
 * depends on no Azure package. Messages never contain secrets.
 */
export interface Logger {
  /** Something went wrong and was not recovered. */
  error(...args: unknown[]): void;
  /** Something went wrong and was recovered (a retry, a lost race). */
  warning(...args: unknown[]): void;
  /** A change of state worth knowing (a lease taken or lost). */
  info(...args: unknown[]): void;
  /** Detail for debugging. */
  verbose(...args: unknown[]): void;
}

/** A logger that drops everything. */
export const silentLogger: Logger = {
  error() {},
  warning() {},
  info() {},
  verbose() {},
};
