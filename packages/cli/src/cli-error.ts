import type { ExitCodeValue } from "./exit-codes.js";

/**
 * An error the command reports as one line on stderr and an exit code, without a stack trace. Its
 * message must already be free of secrets.
 */
export class CliError extends Error {
  /** The exit code the process ends with. */
  readonly exitCode: ExitCodeValue;

  /** Creates an error that ends the command with `exitCode`. */
  constructor(exitCode: ExitCodeValue, message: string) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}
