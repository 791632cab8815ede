import type { StatusReport } from "./status.js";
import { renderTable } from "./text-table.js";

/** One partition of a {@link LagReport}. */
export interface PartitionLag {
  /** The partition. */
  readonly partitionId: string;
  /** Sequence number of the last event checkpointed; null without a checkpoint. */
  readonly checkpointSequenceNumber: number | null;
  /** Sequence number of the newest event; -1 when the partition never had one. */
  readonly lastEnqueuedSequenceNumber: number;
  /** Events not yet checkpointed, exactly as `eph status` counts them. */
  readonly lag: number;
}

/** What `eph lag` reports: the lag columns of `eph status`, and the verdict of `--threshold`. */
export interface LagReport
  extends Pick<
    StatusReport,
    "fullyQualifiedNamespace" | "eventHubName" | "consumerGroup" | "notes" | "readAt" | "totalLag"
  > {
  /** Every partition, in partition-id order. */
  readonly partitions: readonly PartitionLag[];
  /** The `--threshold` given; null without one. */
  readonly threshold: number | null;
  /** True when a threshold was given and the total lag is above it (then `eph lag` exits 8). */
  readonly aboveThreshold: boolean;
}

/** The lag part of a status reading, judged against `threshold` (none when undefined). */
export function lagReport(status: StatusReport, threshold: number | undefined): LagReport {
  return {
    fullyQualifiedNamespace: status.fullyQualifiedNamespace,
    eventHubName: status.eventHubName,
    consumerGroup: status.consumerGroup,
    notes: status.notes,
    readAt: status.readAt,
    partitions: status.partitions.map((p) => ({
      partitionId: p.partitionId,
      checkpointSequenceNumber: p.checkpoint?.sequenceNumber ?? null,
      lastEnqueuedSequenceNumber: p.lastEnqueuedSequenceNumber,
      lag: p.lag,
    })),
    totalLag: status.totalLag,
    threshold: threshold ?? null,
    aboveThreshold: threshold !== undefined && status.totalLag > threshold,
  };
}

/** The lag as a table, then the total (and the threshold's verdict) and the notes. */
export function renderLag(report: LagReport): string {
  const table = renderTable(
    ["PARTITION", "CHECKPOINT", "LAST-ENQUEUED", "LAG"],
    report.partitions.map((p) => [
      p.partitionId,
      p.checkpointSequenceNumber === null ? "-" : String(p.checkpointSequenceNumber),
      p.lastEnqueuedSequenceNumber < 0 ? "-" : String(p.lastEnqueuedSequenceNumber),
      String(p.lag),
    ]),
    ["left", "right", "right", "right"],
  );
  const verdict =
    report.threshold === null
      ? ""
      : report.aboveThreshold
        ? ` (above the threshold ${report.threshold})`
        : ` (within the threshold ${report.threshold})`;
  const heading = `Event hub ${report.eventHubName} on ${report.fullyQualifiedNamespace}, consumer group ${report.consumerGroup}`;
  return [heading, "", table, "", `total lag ${report.totalLag}${verdict}`, ...report.notes].join("\n");
}
