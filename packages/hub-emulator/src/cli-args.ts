import { HubEmulatorError } from "./errors.js";
import type { EmulatorOptions, HubOptions } from "./options.js";

/** Usage text of the `eph-hub-emulator` command. */
export const USAGE = `Usage: eph-hub-emulator [options]

Runs a local Azure Event Hubs service (AMQP 1.0, plain TCP) until SIGINT or SIGTERM.
Prints one "Endpoint=..." connection string per hub on standard output.

Options:
  --host HOST              interface to listen on (default 127.0.0.1)
  --port PORT              TCP port, 0 picks a free one (default 5672)
  --hub NAME:PARTITIONS    a hub and its partition count; repeatable (default hub:4)
  --consumer-group HUB:CG  an extra consumer group ($Default always exists); repeatable
  --data-dir DIR           keep events in DIR across restarts
  --max-events N           events retained per partition (default 1000000)
  --max-bytes N            bytes retained per partition (default 67108864)
  --help                   show this text
`;

/** What the command line asks for. */
export type CliCommand = { kind: "help" } | { kind: "run"; options: EmulatorOptions };

function bad(message: string): HubEmulatorError {
  return new HubEmulatorError("InvalidOptions", `${message}\n\n${USAGE}`);
}

function integer(flag: string, value: string): number {
  if (!/^\d+$/.test(value)) throw bad(`${flag} needs a non-negative integer, got "${value}"`);
  return Number(value);
}

/** Parses `eph-hub-emulator` arguments (without the node and script paths). */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  let host = "127.0.0.1";
  let port = 5672;
  let dataDir: string | undefined;
  const retention: { maxEventsPerPartition?: number; maxBytesPerPartition?: number } = {};
  const hubs: Record<string, HubOptions> = {};
  const groups: Array<[string, string]> = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") return { kind: "help" };
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined) throw bad(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case "--host":
        host = value();
        break;
      case "--port":
        port = integer("--port", value());
        break;
      case "--data-dir":
        dataDir = value();
        break;
      case "--max-events":
        retention.maxEventsPerPartition = integer("--max-events", value());
        break;
      case "--max-bytes":
        retention.maxBytesPerPartition = integer("--max-bytes", value());
        break;
      case "--hub": {
        const spec = value();
        const match = /^([^:]+):(\d+)$/.exec(spec);
        if (!match) throw bad(`--hub needs NAME:PARTITIONS, got "${spec}"`);
        hubs[match[1]!] = { partitions: Number(match[2]) };
        break;
      }
      case "--consumer-group": {
        const spec = value();
        const match = /^([^:]+):(.+)$/.exec(spec);
        if (!match) throw bad(`--consumer-group needs HUB:NAME, got "${spec}"`);
        groups.push([match[1]!, match[2]!]);
        break;
      }
      default:
        throw bad(`unknown argument "${arg}"`);
    }
  }
  if (Object.keys(hubs).length === 0) hubs.hub = { partitions: 4 };
  for (const [hub, group] of groups) {
    const spec = hubs[hub];
    if (!spec) throw bad(`--consumer-group names hub "${hub}", which no --hub declares`);
    spec.consumerGroups = [...(spec.consumerGroups ?? []), group];
  }
  const options: EmulatorOptions = { host, port, hubs, retention };
  if (dataDir !== undefined) options.dataDir = dataDir;
  return { kind: "run", options };
}
