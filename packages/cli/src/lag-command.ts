import type { Command } from "./command.js";
import { type FlagSpec, integerFlag, noPositionals, parseFlags, secondsFlag, stringFlag } from "./command-line.js";
import { connectionFlagHelp, connectionFlagSpec, connectionFlags } from "./connection-flags.js";
import { resolveConnectionSettings } from "./connection-settings.js";
import { ExitCode } from "./exit-codes.js";
import type { CliIo } from "./io.js";
import { lagReport, renderLag } from "./lag-report.js";
import { withStatusReader } from "./status-reader.js";

const spec: FlagSpec = {
  ...connectionFlagSpec,
  json: { type: "boolean" },
  threshold: { type: "string" },
};

const help = `Usage: eph lag [flags]

Shows how far your hosts are behind: per partition, the events enqueued after the last checkpoint, and
the total. The same figures as the LAG column of "eph status", read the same way, from every store
eph status reads.
  PARTITION      the partition id
  CHECKPOINT     sequence number of the last event checkpointed ("-" when none)
  LAST-ENQUEUED  sequence number of the newest event in the partition (from Event Hubs)
  LAG            LAST-ENQUEUED - CHECKPOINT (without a checkpoint: every retained event)

For scripts and alerts, --threshold N exits 8 when the total lag is above N (the report is printed
either way, and one line on stderr says so).

Flags:
  --json                 print the report as JSON (partitions, totalLag, threshold, aboveThreshold)
  --threshold N          exit 8 when the total lag is above N (an integer, 0 or more)
  -h, --help             show this text

${connectionFlagHelp}
Examples:
  eph lag --container eph-leases
  eph lag --container eph-leases --threshold 10000 || page-the-on-call
  eph lag --container eph-leases --json | jq '.partitions[] | select(.lag > 1000)'

Exit codes: 0 ok (and within --threshold), 2 bad flags, 3 missing or malformed connection string,
4 hub not found, 5 service unreachable or credentials refused, 8 total lag above --threshold,
130 interrupted. See "eph --help".
`;

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, spec, "lag");
  if (values.help) {
    io.stdout.write(help);
    return ExitCode.Ok;
  }
  noPositionals(positionals, "lag");
  const timeout = secondsFlag(values, "timeout", "lag", 30_000);
  const threshold =
    stringFlag(values, "threshold") === undefined ? undefined : integerFlag(values, "threshold", "lag", 0);
  const settings = resolveConnectionSettings(connectionFlags(values), io.env);
  const report = lagReport(await withStatusReader(settings, timeout, io, (read) => read()), threshold);
  io.stdout.write(values.json === true ? `${JSON.stringify(report, null, 2)}\n` : `${renderLag(report)}\n`);
  if (!report.aboveThreshold) return ExitCode.Ok;
  io.stderr.write(`eph lag: total lag ${report.totalLag} is above --threshold ${report.threshold}.\n`);
  return ExitCode.LagAboveThreshold;
}

/** `eph lag`. */
export const lagCommand: Command = {
  name: "lag",
  summary: "per-partition and total lag; --threshold N exits 8 above N, for scripts and alerts",
  help,
  run,
};
