import { sleep } from "./abortable-sleep.js";
import { CliError } from "./cli-error.js";
import type { Command } from "./command.js";
import { type FlagSpec, noPositionals, parseFlags, secondsFlag } from "./command-line.js";
import { connectionFlagHelp, connectionFlagSpec, connectionFlags } from "./connection-flags.js";
import { resolveConnectionSettings } from "./connection-settings.js";
import { ExitCode } from "./exit-codes.js";
import type { CliIo } from "./io.js";
import { LeaseWatch } from "./lease-watch.js";
import { LiveFrame } from "./live-frame.js";
import { withStatusReader } from "./status-reader.js";
import { renderStatus } from "./status-table.js";

const spec: FlagSpec = {
  ...connectionFlagSpec,
  json: { type: "boolean" },
  watch: { type: "boolean", short: "w" },
  interval: { type: "string" },
  "lease-duration": { type: "string" },
};

const help = `Usage: eph status [flags]

Shows every partition of an event hub as your hosts share it, like kafka-consumer-groups --describe:
  PARTITION      the partition id
  OWNER          the host written as owner in the lease ("-" when none)
  EPOCH          the lease epoch: it increments each time the partition changes owner
  LEASE          the lease as stored:
                   owned     a host is written as owner
                   released  a host owned it and let it go (closed cleanly, or handed it over)
                   free      never taken by any host
                   missing   no lease record: no host has run for this hub and consumer group here
  CHECKPOINT     sequence number of the last event checkpointed; hosts resume after it
  LAST-ENQUEUED  sequence number of the newest event in the partition (from Event Hubs)
  LAG            LAST-ENQUEUED - CHECKPOINT (without a checkpoint: every retained event)

A lease stores no expiry time: each host judges expiry on its own clock, by how long the lease record
stays unchanged (owners renew it every few seconds). So one reading cannot tell whether an owner is
alive: "owned" means only that a host's name is written. With --watch, eph keeps reading and shows for
how long it has seen each lease unchanged; after --lease-duration without change it shows "expired"
(the owner stopped renewing: crashed, paused or cut off), exactly the judgement the hosts make.

Flags:
  --json                 print the report as JSON (with --watch: one JSON object per line)
  -w, --watch            keep reading until Ctrl-C (redraws in place on a terminal)
  --interval SECONDS     time between readings with --watch (default 2)
  --lease-duration SECONDS
                         the hosts' lease duration, to call a lease expired (default 60, the host default)
  -h, --help             show this text

${connectionFlagHelp}
Examples:
  export EPH_EVENTHUB_CONNECTION_STRING='Endpoint=sb://…;EntityPath=orders'
  export EPH_STORAGE_CONNECTION_STRING='DefaultEndpointsProtocol=https;AccountName=…'
  eph status --container eph-leases
  eph status --container eph-leases --consumer-group billing --json | jq '.totalLag'
  eph status --container eph-leases --watch --lease-duration 60

Exit codes: 0 ok, 2 bad flags, 3 missing or malformed connection string, 4 hub or container not
found, 5 service unreachable or credentials refused, 130 interrupted. See "eph --help".
`;

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, spec, "status");
  if (values.help) {
    io.stdout.write(help);
    return ExitCode.Ok;
  }
  noPositionals(positionals, "status");
  const timeout = secondsFlag(values, "timeout", "status", 30_000);
  const interval = secondsFlag(values, "interval", "status", 2000);
  const leaseDuration = secondsFlag(values, "lease-duration", "status", 60_000);
  const json = values.json === true;
  const watching = values.watch === true;
  const settings = resolveConnectionSettings(connectionFlags(values), io.env);
  return withStatusReader(settings, timeout, io, async (read) => {
    if (!watching) {
      const report = await read();
      io.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${renderStatus(report)}\n`);
      return ExitCode.Ok;
    }
    const watch = new LeaseWatch(leaseDuration);
    const frame = new LiveFrame(io.stdout);
    while (!io.signal.aborted) {
      let report: Awaited<ReturnType<typeof read>>;
      try {
        report = await read();
      } catch (error) {
        if (error instanceof CliError && error.exitCode === ExitCode.Interrupted) break;
        // A watcher outlives blips: an unreachable service is reported and read again next time;
        // anything else (bad settings, a missing hub) will not fix itself.
        if (!(error instanceof CliError && error.exitCode === ExitCode.Unavailable)) throw error;
        io.stderr.write(`eph: ${error.message} (retrying)\n`);
        await sleep(interval, io.signal);
        continue;
      }
      const seen = watch.observe(report.partitions);
      if (json) {
        const partitions = report.partitions.map((p) => {
          // Expiry means something only for a lease someone owns.
          const o = p.leaseState === "owned" ? seen.get(p.partitionId) : undefined;
          return o ? { ...p, leaseUnchangedForMs: Math.round(o.unchangedForMs), leaseExpired: o.expired } : p;
        });
        io.stdout.write(`${JSON.stringify({ ...report, partitions })}\n`);
      } else {
        frame.show(`${renderStatus(report, seen)}\n(read at ${report.readAt}; Ctrl-C to stop)`);
      }
      await sleep(interval, io.signal);
    }
    return ExitCode.Ok;
  });
}

/** `eph status`. */
export const statusCommand: Command = {
  name: "status",
  summary: "owner, epoch, lease, checkpoint, last enqueued and lag of every partition",
  help,
  run,
};
