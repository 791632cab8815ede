import type { PartitionStatus, StatusReport } from "./status.js";
import { renderTable } from "./text-table.js";

/** What an observer saw of each lease over time (`--watch`, the demo). */
export interface LeaseObservation {
  /** Milliseconds the lease's version has stayed unchanged in this observer's eyes. */
  readonly unchangedForMs: number;
  /** True once that exceeds the lease duration: the owner stopped renewing. */
  readonly expired: boolean;
}

function checkpointCell(p: PartitionStatus): string {
  if (p.checkpointError) return "corrupt";
  return p.checkpoint ? String(p.checkpoint.sequenceNumber) : "-";
}

function leaseCell(p: PartitionStatus, seen: LeaseObservation | undefined): string {
  if (!seen || p.leaseState !== "owned") return p.leaseState;
  const s = Math.floor(seen.unchangedForMs / 1000);
  return seen.expired ? `expired (${s}s)` : `owned (${s}s)`;
}

/** The status as a table like `kafka-consumer-groups --describe`, plus a summary line. */
export function renderStatus(report: StatusReport, observations?: ReadonlyMap<string, LeaseObservation>): string {
  const what = report.store === "blob" ? "container" : "table";
  const containers =
    report.checkpointContainer === report.container
      ? `${what} ${report.container}`
      : `leases in ${what} ${report.container}, checkpoints in ${what} ${report.checkpointContainer}`;
  const heading = `Event hub ${report.eventHubName} on ${report.fullyQualifiedNamespace}, consumer group ${report.consumerGroup}, ${containers}`;
  const rows = report.partitions.map((p) => [
    p.partitionId,
    p.owner || "-",
    String(p.epoch),
    leaseCell(p, observations?.get(p.partitionId)),
    checkpointCell(p),
    p.lastEnqueuedSequenceNumber < 0 ? "-" : String(p.lastEnqueuedSequenceNumber),
    String(p.lag),
  ]);
  const table = renderTable(
    [
      "PARTITION",
      "OWNER",
      "EPOCH",
      observations ? "LEASE (UNCHANGED FOR)" : "LEASE",
      "CHECKPOINT",
      "LAST-ENQUEUED",
      "LAG",
    ],
    rows,
    ["left", "left", "right", "left", "right", "right", "right"],
  );
  const owners =
    report.owners.length === 0
      ? "no owners"
      : `${report.owners.length} owner${report.owners.length === 1 ? "" : "s"}: ${report.owners.map((o) => `${o.owner} (${o.partitions})`).join(", ")}`;
  const corrupt = report.partitions.filter((p) => p.checkpointError);
  const notes = [...corrupt.map((p) => `partition ${p.partitionId}: ${p.checkpointError}`), ...report.notes];
  return [heading, "", table, "", `${owners}; total lag ${report.totalLag}`, ...notes].join("\n");
}
