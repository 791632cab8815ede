import { isEphError } from "@eph/core";
import { CliError } from "./cli-error.js";
import { ExitCode, type ExitCodeValue } from "./exit-codes.js";
import { redact } from "./redact.js";

const notFoundCodes = new Set(["MessagingEntityNotFoundError", "ContainerNotFound", "ResourceNotFound"]);
const unavailableCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ServiceCommunicationError",
  "ServiceUnavailableError",
  "UnauthorizedError",
  "AuthorizationFailure",
  "AuthenticationFailed",
  "OperationTimeoutError",
  "TimeoutError",
  "AbortError",
]);

/**
 * The error that says what happened: the SDK's retry loop throws an AggregateError with an empty
 * message whose last entry is the final attempt's failure.
 */
function innermost(error: unknown): unknown {
  if (error instanceof AggregateError && error.errors.length > 0) return innermost(error.errors.at(-1));
  return error;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** The exit code that says what kind of failure `thrown` is. */
export function exitCodeFor(thrown: unknown): ExitCodeValue {
  const error = innermost(thrown);
  if (error instanceof CliError) return error.exitCode;
  if (isEphError(error)) {
    switch (error.code) {
      case "InvalidConnectionString":
      case "InvalidOption":
        return ExitCode.Configuration;
      case "StoreNotFound":
      case "HubNotFound":
      case "UnknownPartition":
        return ExitCode.NotFound;
      case "StoreUnavailable":
      case "HubUnavailable":
      case "Aborted":
        return ExitCode.Unavailable;
      case "LeaseLost":
      case "CheckpointFenced":
      case "CheckpointRegressed":
        return ExitCode.Conflict;
      default:
        return ExitCode.Failure;
    }
  }
  const code = codeOf(error);
  if (code && notFoundCodes.has(code)) return ExitCode.NotFound;
  if (code && unavailableCodes.has(code)) return ExitCode.Unavailable;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (status === 404) return ExitCode.NotFound;
  if (status === 401 || status === 403) return ExitCode.Unavailable;
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause !== undefined && cause !== error) {
    const fromCause = exitCodeFor(cause);
    if (fromCause !== ExitCode.Failure) return fromCause;
  }
  return ExitCode.Failure;
}

/** One line describing any thrown value, scrubbed of secrets. */
export function describeError(thrown: unknown, secrets: readonly string[]): string {
  const error = innermost(thrown);
  if (error instanceof Error) {
    const code = codeOf(error);
    const message = error.message.split("\n")[0] ?? "";
    return redact(code && !message.includes(code) ? `${code}: ${message}` : message, secrets);
  }
  return redact(String(error), secrets);
}

/**
 * Turns a failure of an SDK or store call into the error the command reports: `what` says what was
 * being done, the exit code says what kind of failure it was, and no secret survives.
 */
export function toCliError(error: unknown, what: string, secrets: readonly string[]): CliError {
  if (error instanceof CliError) return error;
  return new CliError(exitCodeFor(error), `${what}: ${describeError(error, secrets)}`);
}
