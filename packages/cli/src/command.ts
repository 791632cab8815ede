import type { CliIo } from "./io.js";

/** One `eph` command. */
export interface Command {
  /** The words that select it, e.g. `status` or `checkpoints set`. */
  readonly name: string;
  /** One line for `eph --help`. */
  readonly summary: string;
  /** The full `--help` text. */
  readonly help: string;
  /** Runs it with the arguments after its name; resolves to the exit code. */
  run(argv: readonly string[], io: CliIo): Promise<number>;
}
