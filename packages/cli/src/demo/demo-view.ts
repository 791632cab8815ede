import type { StatusReport } from "../status.js";
import { renderTable } from "../text-table.js";
import type { DemoHost } from "./demo-hosts.js";
import type { DemoLedger } from "./demo-ledger.js";

/** Everything one frame of the live view shows. */
export interface DemoFrame {
  readonly elapsedMs: number;
  readonly title: string;
  readonly phase: string;
  readonly status: StatusReport | undefined;
  readonly hosts: readonly DemoHost[];
  readonly ledger: DemoLedger;
  readonly log: readonly string[];
  /** Terminal height: the log is cut to fit. */
  readonly rows?: number | undefined;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** Who has a receiver open on each partition, as the hosts reported it. */
function readersOf(hosts: readonly DemoHost[]): Map<string, string[]> {
  const readers = new Map<string, string[]>();
  for (const h of hosts) {
    for (const p of h.reading) readers.set(p, [...(readers.get(p) ?? []), h.name]);
  }
  return readers;
}

/** The partition table: lease owner and epoch from the store, who reads it from the hosts, lag. */
export function renderPartitions(status: StatusReport | undefined, hosts: readonly DemoHost[]): string {
  if (!status) return "(reading the stores…)";
  const readers = readersOf(hosts);
  return renderTable(
    ["PARTITION", "OWNER", "EPOCH", "READ BY", "CHECKPOINT", "LAST-ENQUEUED", "LAG"],
    status.partitions.map((p) => [
      p.partitionId,
      p.owner || `- (${p.leaseState})`,
      String(p.epoch),
      (readers.get(p.partitionId) ?? []).join(",") || "-",
      p.checkpoint ? String(p.checkpoint.sequenceNumber) : "-",
      p.lastEnqueuedSequenceNumber < 0 ? "-" : String(p.lastEnqueuedSequenceNumber),
      String(p.lag),
    ]),
    ["left", "left", "right", "left", "right", "right", "right"],
  );
}

/** One line per host: state, partitions read, events handled. */
export function renderHosts(hosts: readonly DemoHost[]): string {
  return hosts
    .map((h) => {
      const parts = [...h.reading].sort((a, b) => Number(a) - Number(b)).join(",") || "-";
      return `${h.name.padEnd(8)} ${h.state.padEnd(8)} reads ${parts.padEnd(18)} ${h.events} events`;
    })
    .join("\n");
}

/** The whole live view. */
export function renderFrame(f: DemoFrame): string {
  const l = f.ledger;
  const head = [
    `t=${seconds(f.elapsedMs).padEnd(6)} ${f.title}`,
    `now: ${f.phase}`,
    "",
    renderPartitions(f.status, f.hosts),
    "",
    renderHosts(f.hosts),
    "",
    `sent ${l.sentCount}   processed ${l.processedCount}   duplicates ${l.duplicates}   not yet processed ${Math.max(0, l.outstanding)}`,
    "",
  ].join("\n");
  const room = f.rows === undefined ? 10 : Math.max(0, Math.min(10, f.rows - 1 - head.split("\n").length));
  return room === 0 ? head : `${head}\n${f.log.slice(-room).join("\n")}`;
}

/**
 * The live view's phase line after a rebalance settled: when it settled (demo time `settledAtMs`, `tookMs`
 * after its cause) and how long it has been steady since, as of demo time `nowMs`.
 */
export function steadyPhase(description: string, settledAtMs: number, tookMs: number, nowMs: number): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return `${description}: settled at t=${seconds(settledAtMs)}, ${s(tookMs)} after it; steady for ${s(Math.max(0, nowMs - settledAtMs))}`;
}
