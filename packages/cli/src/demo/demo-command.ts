import { CliError } from "../cli-error.js";
import type { Command } from "../command.js";
import { type FlagSpec, integerFlag, noPositionals, parseFlags } from "../command-line.js";
import { describeError } from "../error-classification.js";
import { ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import type { DemoRebalance, DemoSummary } from "./demo-run.js";
import { type DemoConfig, fullDemo, shortDemo } from "./demo-scenario.js";

const spec: FlagSpec = {
  short: { type: "boolean" },
  partitions: { type: "string" },
  rate: { type: "string" },
  json: { type: "boolean" },
};

const help = `Usage: eph demo [flags]

Shows eph at work in about a minute, with no Azure account: starts the Event Hubs emulator and Azurite
in this process, a producer, and three hosts (host-a, host-b, host-c) as separate Node processes that
share the hub's partitions through blob leases and checkpoints. Then it
  1. waits until the three hosts share the partitions evenly,
  2. kills host-b with SIGKILL (no clean-up at all) and shows the survivors take its partitions over
     once its leases expire,
  3. starts host-d and shows the handoff: each partition it takes is checkpointed and let go by its
     previous owner first, so planned moves cause no duplicates,
  4. stops the producer, lets the hosts finish, closes them and checks every event.

The live view shows, per partition, the owner and epoch written in the lease, the host actually
reading it, the checkpoint, the last enqueued sequence number and the lag. On a terminal it redraws in
place; in a pipe or a log it prints plain lines. The summary gives events sent and processed,
duplicates, and how long each rebalance took.

Flags:
  --short            a ~12 s run (lease 3 s, renewal 1 s, scan 1 s), as the test suite uses
  --partitions N     partitions of the demo hub (default 8; 6 with --short)
  --rate N           events per second sent (default 40; 30 with --short)
  --json             print the summary as JSON on stdout (the live view goes to stderr)
  -h, --help         show this text

Timing: lease 6 s, renewal 2 s, scan 2 s (the host defaults are 60 s / 10 s / 10 s); hosts checkpoint
every second.

Exit codes: 0 every event was processed, 1 an event was lost (or the demo failed), 2 bad flags,
130 interrupted.
`;

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * What a rebalance opened: distinct partitions, and why there were more receivers than that (a
 * partition opened, then moved again while the load evened out).
 */
export function openedText(r: Pick<DemoRebalance, "partitionsOpened" | "receiversOpened">): string {
  const partitions = `${plural(r.partitionsOpened, "partition", "partitions")} opened`;
  const again = r.receiversOpened - r.partitionsOpened;
  if (again <= 0) return partitions;
  return `${partitions} (${again === 1 ? "1 of them twice: it moved" : `${again} more opens: partitions moved`} again while the load evened out)`;
}

function seconds(ms: number | null): string {
  return ms === null ? "did not settle" : `${(ms / 1000).toFixed(1)} s`;
}

/** The summary in words. */
export function renderSummary(s: DemoSummary): string {
  const lines = [
    "",
    `Summary (${(s.durationMs / 1000).toFixed(1)} s, ${s.partitions} partitions, lease ${s.timing.leaseDuration / 1000} s, renewal ${s.timing.renewalInterval / 1000} s, scan ${s.timing.scanInterval / 1000} s)`,
    `  events sent              ${s.eventsSent}`,
    `  events processed         ${s.eventsProcessed} distinct, ${s.deliveries} deliveries`,
    `  duplicates               ${s.duplicates}`,
    s.interrupted ? `  not processed yet        ${s.lost} (interrupted)` : `  lost                     ${s.lost}`,
    "  rebalances (from the cause until every partition is read by one live host, load even):",
    ...s.rebalances.map(
      (r) =>
        `    ${r.description.padEnd(16)} ${seconds(r.durationMs).padStart(14)}${r.processStartMs > 0 ? ` (${seconds(r.processStartMs)} of it starting Node)` : ""}   ${openedText(r)}, ${plural(r.duplicates, "duplicate", "duplicates")}`,
    ),
  ];
  const crash = s.rebalances.find((r) => r.name === "crash");
  if (crash && crash.durationMs !== null) {
    lines.push(
      `  The crash takeover waits for host-b's leases to expire (${s.timing.leaseDuration / 1000} s unchanged, judged on each`,
      "  survivor's own clock), then a scan; its duplicates are the events host-b handled after its last",
      "  checkpoint.",
    );
  }
  const join = s.rebalances.find((r) => r.name === "join");
  if (join && join.durationMs !== null && join.duplicates === 0) {
    lines.push("  The join replayed nothing: each previous owner checkpointed and let go before host-d read.");
  }
  for (const f of s.hostFailures) lines.push(`  host ${f.host} failed: ${f.detail}`);
  if (s.lost > 0 && !s.interrupted) {
    lines.push(
      `  LOST: ${s.lostEvents.map((e) => `${e.partitionId}/${e.sequenceNumber}`).join(", ")}${s.lost > s.lostEvents.length ? " …" : ""}`,
    );
  }
  lines.push(
    s.ok
      ? "Result: no event lost."
      : s.interrupted
        ? "Result: interrupted."
        : s.eventsSent === 0
          ? "Result: no event was sent."
          : "Result: EVENTS LOST.",
  );
  return `${lines.join("\n")}\n`;
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, spec, "demo");
  if (values.help) {
    io.stdout.write(help);
    return ExitCode.Ok;
  }
  noPositionals(positionals, "demo");
  const base = values.short ? shortDemo : fullDemo;
  const config: DemoConfig = {
    ...base,
    partitions: integerFlag(values, "partitions", "demo", base.partitions, 1),
    eventsPerSecond: integerFlag(values, "rate", "demo", base.eventsPerSecond, 1),
  };
  if (config.partitions > 64) throw new CliError(ExitCode.Usage, "eph demo: --partitions must be at most 64.");
  if (config.eventsPerSecond > 2000) throw new CliError(ExitCode.Usage, "eph demo: --rate must be at most 2000.");
  const json = values.json === true;
  let summary: DemoSummary;
  try {
    const { runDemo } = await import("./demo-run.js");
    summary = await runDemo(config, { view: json ? io.stderr : io.stdout, signal: io.signal });
  } catch (error) {
    if (io.signal.aborted) return ExitCode.Interrupted;
    throw new CliError(ExitCode.Failure, `The demo failed: ${describeError(error, [])}`);
  }
  if (json) {
    io.stderr.write(renderSummary(summary));
    io.stdout.write(`${JSON.stringify(summary)}\n`);
  } else io.stdout.write(renderSummary(summary));
  if (summary.interrupted) return ExitCode.Interrupted;
  return summary.ok ? ExitCode.Ok : ExitCode.Failure;
}

/** `eph demo`. */
export const demoCommand: Command = {
  name: "demo",
  summary: "see hosts share a hub, survive a crash and hand over, locally in about a minute",
  help,
  run,
};
