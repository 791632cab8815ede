import { checkpointsCommand, checkpointsSubcommandHelp } from "./checkpoints-command.js";
import { CliError } from "./cli-error.js";
import type { Command } from "./command.js";
import { deadLettersCommand, deadLettersSubcommandHelp } from "./dead-letters-command.js";
import { demoCommand } from "./demo/demo-command.js";
import { emulatorCommand } from "./emulator-command.js";
import { describeError } from "./error-classification.js";
import { ExitCode, exitCodeHelp } from "./exit-codes.js";
import type { CliIo } from "./io.js";
import { lagCommand } from "./lag-command.js";
import { packageVersion } from "./package-version.js";
import { statusCommand } from "./status-command.js";

const commands: readonly Command[] = [
  statusCommand,
  lagCommand,
  checkpointsCommand,
  deadLettersCommand,
  emulatorCommand,
  demoCommand,
];

const help = `Usage: eph <command> [flags]

Operate eph, the Event Processor Host for Azure Event Hubs: hosts sharing a hub's partitions through
leases and checkpoints in Azure Storage.

Commands:
${commands.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`).join("\n")}
  help CMD     show the help of a command (same as eph CMD --help)

Flags:
  -h, --help     show this text
  -v, --version  print the version

Run "eph <command> --help" for a command's flags. status, lag and checkpoints read the connection
strings from flags or from EPH_EVENTHUB_CONNECTION_STRING, EPH_STORAGE_CONNECTION_STRING,
EPH_CONTAINER and EPH_CONSUMER_GROUP; secrets are never printed.

${exitCodeHelp}`;

function helpFor(words: readonly string[]): string | undefined {
  const [name, sub] = words;
  if (name === "checkpoints" && sub !== undefined) return checkpointsSubcommandHelp[sub];
  if (name === "dead-letters" && sub !== undefined) return deadLettersSubcommandHelp[sub];
  return commands.find((c) => c.name === name)?.help;
}

/**
 * Runs `eph` with `argv` (the arguments after the program name) and resolves to its exit code. Never
 * rejects: every failure is one line on stderr, without secrets, and a documented exit code.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === "-h" || name === "--help") {
      io.stdout.write(help);
      return name === undefined ? ExitCode.Usage : ExitCode.Ok;
    }
    if (name === "-v" || name === "--version") {
      io.stdout.write(`${packageVersion()}\n`);
      return ExitCode.Ok;
    }
    if (name === "help") {
      const text = rest.length === 0 ? help : helpFor(rest);
      if (text === undefined) throw new CliError(ExitCode.Usage, 'eph help: no such command. See "eph --help".');
      io.stdout.write(text);
      return ExitCode.Ok;
    }
    const command = commands.find((c) => c.name === name);
    if (!command) {
      const shown = /^[a-z-]{1,20}$/.test(name) ? ` "${name}"` : "";
      throw new CliError(ExitCode.Usage, `eph: unknown command${shown}. See "eph --help".`);
    }
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr.write(error.message.startsWith("eph") ? `${error.message}\n` : `eph: ${error.message}\n`);
      return error.exitCode;
    }
    if (io.signal.aborted) return ExitCode.Interrupted;
    io.stderr.write(`eph: ${describeError(error, [])}\n`);
    return ExitCode.Failure;
  }
}
