import { CliError } from "./cli-error.js";
import type { Command } from "./command.js";
import { type FlagSpec, integerFlag, listFlag, noPositionals, parseFlags } from "./command-line.js";
import { EnvVar } from "./connection-settings.js";
import { describeError } from "./error-classification.js";
import { ExitCode } from "./exit-codes.js";
import type { CliIo } from "./io.js";
import type { LocalStack } from "./local-stack.js";

const spec: FlagSpec = {
  hub: { type: "string", multiple: true },
  port: { type: "string" },
  "blob-port": { type: "string" },
  "table-port": { type: "string" },
  json: { type: "boolean" },
};

const help = `Usage: eph emulator [flags]

Runs a local Event Hubs service (@eph/hub-emulator, AMQP 1.0 over plain TCP) and a local Storage
service (Azurite: blob and table, in memory) until Ctrl-C, and prints the connection strings, ready to
paste into a shell for your hosts and for eph status. Nothing leaves this machine; data is lost on exit.
The keys printed are the emulators' public, well-known development keys, not secrets.

Flags:
  --hub NAME:PARTITIONS   a hub and its partition count; repeat for several (default hub:4)
  --port N                Event Hubs port (default 5672; 0 picks a free one)
  --blob-port N           Azurite blob port (default 10000; 0 picks a free one)
  --table-port N          Azurite table port (default 10002; 0 picks a free one)
  --json                  print one JSON object with the connection strings instead of shell lines
  -h, --help              show this text

Example:
  eph emulator --hub orders:8          # in one terminal; copy the export lines into another
  eph status --container eph-leases    # in the other, once hosts run

Exit codes: 0 stopped by Ctrl-C or SIGTERM, 1 a service could not start (e.g. port in use), 2 bad flags.
`;

function parseHubs(values: ReturnType<typeof parseFlags>["values"]): Record<string, number> {
  const hubs: Record<string, number> = {};
  for (const text of listFlag(values, "hub")) {
    const match = /^([A-Za-z0-9][A-Za-z0-9._-]{0,255}):(\d{1,4})$/.exec(text);
    const partitions = Number(match?.[2]);
    if (!match || partitions < 1 || partitions > 1024) {
      throw new CliError(
        ExitCode.Usage,
        "eph emulator: --hub needs NAME:PARTITIONS, e.g. orders:8 (1-1024 partitions).",
      );
    }
    hubs[match[1] as string] = partitions;
  }
  if (Object.keys(hubs).length === 0) hubs.hub = 4;
  return hubs;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, spec, "emulator");
  if (values.help) {
    io.stdout.write(help);
    return ExitCode.Ok;
  }
  noPositionals(positionals, "emulator");
  const hubs = parseHubs(values);
  const ports = {
    eventHubsPort: integerFlag(values, "port", "emulator", 5672),
    blobPort: integerFlag(values, "blob-port", "emulator", 10000),
    tablePort: integerFlag(values, "table-port", "emulator", 10002),
  };
  for (const [name, port] of Object.entries(ports)) {
    if (port > 65535) throw new CliError(ExitCode.Usage, `eph emulator: ${name} must be at most 65535.`);
  }
  let stack: LocalStack;
  try {
    const { startLocalStack } = await import("./local-stack.js");
    stack = await startLocalStack({ hubs, ...ports });
  } catch (error) {
    throw new CliError(ExitCode.Failure, `Could not start the emulators: ${describeError(error, [])}`);
  }
  try {
    const names = Object.keys(hubs);
    if (values.json) {
      const out = {
        eventHubs: Object.fromEntries(names.map((h) => [h, stack.eventHubConnectionString(h)])),
        storage: stack.storageConnectionString,
        blobEndpoint: stack.azurite.blobEndpoint,
        tableEndpoint: stack.azurite.tableEndpoint,
      };
      io.stdout.write(`${JSON.stringify(out)}\n`);
    } else {
      const lines = [`export ${EnvVar.storageConnectionString}=${shellQuote(stack.storageConnectionString)}`];
      // One variable holds one hub: the first is exported, the others are printed ready to swap in.
      names.forEach((h, i) => {
        const line = `export ${EnvVar.eventHubConnectionString}=${shellQuote(stack.eventHubConnectionString(h))}`;
        lines.push(i === 0 ? line : `# ${line}`);
      });
      io.stdout.write(`${lines.join("\n")}\n`);
      io.stderr.write(
        `Event Hubs emulator on ${stack.emulator.host}:${stack.emulator.port} (hubs: ${names.map((h) => `${h}:${hubs[h]}`).join(", ")}); ` +
          `Azurite blob ${stack.azurite.blobEndpoint}, table ${stack.azurite.tableEndpoint}. Ctrl-C to stop.\n`,
      );
    }
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      else io.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    io.stderr.write("Stopping the emulators.\n");
    return ExitCode.Ok;
  } finally {
    await stack.close();
  }
}

/** `eph emulator`. */
export const emulatorCommand: Command = {
  name: "emulator",
  summary: "run the Event Hubs emulator and Azurite locally and print their connection strings",
  help,
  run,
};
