import { CliError } from "./cli-error.js";
import type { Command } from "./command.js";
import {
  deadLettersHelp,
  deadLettersListHelp,
  deadLettersPurgeHelp,
  deadLettersReplayHelp,
  deadLettersShowHelp,
} from "./dead-letters-help.js";
import { ExitCode } from "./exit-codes.js";
import type { CliIo } from "./io.js";

/** Help texts of the subcommands, for `eph help dead-letters <sub>`. */
export const deadLettersSubcommandHelp: Readonly<Record<string, string>> = {
  list: deadLettersListHelp,
  show: deadLettersShowHelp,
  replay: deadLettersReplayHelp,
  purge: deadLettersPurgeHelp,
};

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    // The implementation (and the SDKs) load only when a subcommand runs.
    case "list":
    case "show":
    case "replay":
    case "purge":
      return (await import("./dead-letters-actions.js")).deadLetterAction(sub, rest, io);
    case undefined:
    case "-h":
    case "--help":
    case "help":
      io.stdout.write(deadLettersHelp);
      return sub === undefined ? ExitCode.Usage : ExitCode.Ok;
    default:
      throw new CliError(
        ExitCode.Usage,
        'eph dead-letters: unknown subcommand. Use list, show, replay or purge (see "eph dead-letters --help").',
      );
  }
}

/** `eph dead-letters list|show|replay|purge`. */
export const deadLettersCommand: Command = {
  name: "dead-letters",
  summary: "list, show, replay or purge the events handlers gave up on",
  help: deadLettersHelp,
  run,
};
