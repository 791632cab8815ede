import { checkpointsHelp, listHelp, resetHelp, setHelp } from "./checkpoints-help.js";
import { CliError } from "./cli-error.js";
import type { Command } from "./command.js";
import { ExitCode } from "./exit-codes.js";
import type { CliIo } from "./io.js";

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  const subHelp = sub === undefined ? undefined : checkpointsSubcommandHelp[sub];
  if (subHelp && (rest.includes("--help") || rest.includes("-h"))) {
    io.stdout.write(subHelp);
    return ExitCode.Ok;
  }
  switch (sub) {
    // The implementation (and the SDKs) load only when a subcommand runs.
    case "list":
      return (await import("./checkpoints-actions.js")).list(rest, io);
    case "set":
    case "reset":
      return (await import("./checkpoints-actions.js")).change(sub, rest, io);
    case undefined:
    case "-h":
    case "--help":
    case "help":
      io.stdout.write(checkpointsHelp);
      return sub === undefined ? ExitCode.Usage : ExitCode.Ok;
    default:
      throw new CliError(
        ExitCode.Usage,
        'eph checkpoints: unknown subcommand. Use list, set or reset (see "eph checkpoints --help").',
      );
  }
}

/** `eph checkpoints list|set|reset`. */
export const checkpointsCommand: Command = {
  name: "checkpoints",
  summary: "list checkpoints; set them to a sequence number or the latest event; reset them",
  help: checkpointsHelp,
  run,
};

/** Help texts of the subcommands, for `eph help checkpoints <sub>`. */
export const checkpointsSubcommandHelp: Readonly<Record<string, string>> = {
  list: listHelp,
  set: setHelp,
  reset: resetHelp,
};
