import { hostname } from "node:os";
import { isEphError } from "@eph/core";
import { type CheckpointTarget, replaceCheckpoint } from "./checkpoint-change.js";
import { listHelp, resetHelp, setHelp } from "./checkpoints-help.js";
import { CliError } from "./cli-error.js";
import {
  type FlagSpec,
  type FlagValues,
  listFlag,
  noPositionals,
  parseFlags,
  secondsFlag,
  stringFlag,
} from "./command-line.js";
import { confirm } from "./confirm.js";
import { connectionFlagSpec, connectionFlags } from "./connection-flags.js";
import { resolveConnectionSettings } from "./connection-settings.js";
import { describeError, exitCodeFor } from "./error-classification.js";
import { readEventPosition } from "./event-at.js";
import { ExitCode, type ExitCodeValue } from "./exit-codes.js";
import type { CliIo } from "./io.js";
import { openSession, type Session } from "./session.js";
import { type CheckpointView, collectStatus, type PartitionStatus, type StatusReport } from "./status.js";
import { renderTable } from "./text-table.js";

const listSpec: FlagSpec = { ...connectionFlagSpec, json: { type: "boolean" } };
const changeSpec: FlagSpec = {
  ...connectionFlagSpec,
  json: { type: "boolean" },
  partition: { type: "string", multiple: true },
  all: { type: "boolean" },
  yes: { type: "boolean", short: "y" },
};
const setSpec: FlagSpec = { ...changeSpec, "sequence-number": { type: "string" }, latest: { type: "boolean" } };

function cpText(cp: CheckpointView | undefined): string {
  return cp ? String(cp.sequenceNumber) : "-";
}

function openFor(values: FlagValues, io: CliIo, command: string, hostName: string): Promise<Session> {
  const timeout = secondsFlag(values, "timeout", command, 30_000);
  const settings = resolveConnectionSettings(connectionFlags(values), io.env);
  return openSession(settings, hostName, timeout, io.signal);
}

function readStatus(session: Session): Promise<StatusReport> {
  return session.call("Reading the checkpoints", (abortSignal) =>
    collectStatus(session.settings, { hub: session.hub, ...session.stores }, abortSignal),
  );
}

/** `eph checkpoints list`. */
export async function list(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, listSpec, "checkpoints list");
  if (values.help) {
    io.stdout.write(listHelp);
    return ExitCode.Ok;
  }
  noPositionals(positionals, "checkpoints list");
  const session = await openFor(values, io, "checkpoints list", "eph-cli-list");
  try {
    const report = await readStatus(session);
    for (const note of report.notes) io.stderr.write(`eph: ${note}\n`);
    if (values.json) {
      const rows = report.partitions.map((p) => ({
        partitionId: p.partitionId,
        checkpoint: p.checkpoint ?? null,
        checkpointError: p.checkpointError ?? null,
        lastEnqueuedSequenceNumber: p.lastEnqueuedSequenceNumber,
        lag: p.lag,
      }));
      io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return ExitCode.Ok;
    }
    const table = renderTable(
      ["PARTITION", "CHECKPOINT", "OFFSET", "ENQUEUED-TIME", "LAST-ENQUEUED", "LAG"],
      report.partitions.map((p) => [
        p.partitionId,
        p.checkpointError ? "corrupt" : cpText(p.checkpoint),
        p.checkpoint?.offset ?? "-",
        p.checkpoint?.enqueuedTime ?? "-",
        p.lastEnqueuedSequenceNumber < 0 ? "-" : String(p.lastEnqueuedSequenceNumber),
        String(p.lag),
      ]),
      ["left", "right", "right", "left", "right", "right"],
    );
    io.stdout.write(`${table}\n`);
    return ExitCode.Ok;
  } finally {
    await session.close();
  }
}

function selectPartitions(values: FlagValues, report: StatusReport, command: string): PartitionStatus[] {
  const ids = listFlag(values, "partition");
  if (values.all === true) {
    if (ids.length > 0) throw new CliError(ExitCode.Usage, `eph ${command}: give --partition or --all, not both.`);
    return [...report.partitions];
  }
  if (ids.length === 0)
    throw new CliError(ExitCode.Usage, `eph ${command}: say which partitions: --partition ID or --all.`);
  const byId = new Map(report.partitions.map((p) => [p.partitionId, p]));
  const unknown = ids.filter((id) => !byId.has(id));
  if (unknown.length > 0) {
    const shown = unknown.map((id) => (/^[A-Za-z0-9_-]{1,32}$/.test(id) ? id : "<not an id>")).join(", ");
    throw new CliError(
      ExitCode.NotFound,
      `Event hub "${report.eventHubName}" has no partition ${shown} (it has ${report.partitions.length}: ${report.partitions
        .map((p) => p.partitionId)
        .join(", ")}).`,
    );
  }
  return [...new Set(ids)].map((id) => byId.get(id) as PartitionStatus);
}

interface PlannedChange {
  readonly partition: PartitionStatus;
  readonly target: CheckpointTarget;
  /** The new checkpoint's sequence number, or undefined for a reset. */
  readonly newSequenceNumber: number | undefined;
}

function planSet(values: FlagValues, partitions: PartitionStatus[], session: Session): PlannedChange[] {
  const seqText = stringFlag(values, "sequence-number");
  const latest = values.latest === true;
  if ((seqText === undefined) === !latest) {
    throw new CliError(ExitCode.Usage, "eph checkpoints set: give either --sequence-number N or --latest.");
  }
  if (!latest && (!/^\d+$/.test(seqText as string) || !Number.isSafeInteger(Number(seqText)))) {
    throw new CliError(ExitCode.Usage, "eph checkpoints set: --sequence-number needs a non-negative integer.");
  }
  const plan: PlannedChange[] = [];
  for (const p of partitions) {
    // --latest is the newest event as read before confirming, not whatever has arrived since.
    if (latest && p.lastEnqueuedSequenceNumber < 0) continue;
    const n = latest ? p.lastEnqueuedSequenceNumber : Number(seqText);
    // A sequence number outside what the partition holds is a bad value on the command line (exit code 2),
    // not a missing partition.
    if (p.lastEnqueuedSequenceNumber < n) {
      throw new CliError(
        ExitCode.Usage,
        `eph checkpoints set: --sequence-number ${n}: partition ${p.partitionId} has no event ${n} yet (its newest is ${p.lastEnqueuedSequenceNumber}).`,
      );
    }
    if (n < p.beginningSequenceNumber) {
      throw new CliError(
        ExitCode.Usage,
        `eph checkpoints set: --sequence-number ${n}: event ${n} of partition ${p.partitionId} is no longer retained (the oldest is ${p.beginningSequenceNumber}); ` +
          "use eph checkpoints reset to start from the oldest event.",
      );
    }
    plan.push({
      partition: p,
      newSequenceNumber: n,
      target: {
        kind: "position",
        // The event's offset and time are read under the lease this command holds, with its epoch.
        resolve: (epoch, abortSignal) => readEventPosition(session.hub, p.partitionId, n, epoch, abortSignal),
      },
    });
  }
  return plan;
}

interface ChangeResult {
  partitionId: string;
  previous: CheckpointView | null;
  checkpoint: CheckpointView | null;
  epoch: number | null;
  outcome: "changed" | "conflict" | "failed";
  error: string | null;
}

/** `eph checkpoints set` and `reset`. */
export async function change(kind: "set" | "reset", argv: readonly string[], io: CliIo): Promise<number> {
  const command = `checkpoints ${kind}`;
  const { values, positionals } = parseFlags(argv, kind === "set" ? setSpec : changeSpec, command);
  if (values.help) {
    io.stdout.write(kind === "set" ? setHelp : resetHelp);
    return ExitCode.Ok;
  }
  noPositionals(positionals, command);
  const session = await openFor(values, io, command, `eph-cli-${hostname()}-${process.pid}`);
  try {
    const report = await readStatus(session);
    if (report.notes.length > 0) {
      // Changing a checkpoint takes a lease: there must be a store that hosts read.
      throw new CliError(ExitCode.NotFound, `Nothing changed: ${report.notes.join(" ")}`);
    }
    const partitions = selectPartitions(values, report, command);
    const plan =
      kind === "set"
        ? planSet(values, partitions, session)
        : partitions.map((p) => ({ partition: p, target: { kind: "none" } as const, newSequenceNumber: undefined }));
    if (plan.length === 0) {
      io.stderr.write("Nothing to change: the partitions are empty.\n");
      if (values.json) io.stdout.write("[]\n");
      return ExitCode.Ok;
    }
    const table = renderTable(
      ["PARTITION", "OWNER", "EPOCH", "CHECKPOINT", "NEW CHECKPOINT", "LAST-ENQUEUED"],
      plan.map(({ partition: p, newSequenceNumber }) => [
        p.partitionId,
        p.owner || "-",
        String(p.epoch),
        cpText(p.checkpoint),
        newSequenceNumber === undefined ? "none (initial position)" : String(newSequenceNumber),
        p.lastEnqueuedSequenceNumber < 0 ? "-" : String(p.lastEnqueuedSequenceNumber),
      ]),
      ["left", "left", "right", "right", "right", "right"],
    );
    const owned = plan.filter((c) => c.partition.owner !== "");
    io.stderr.write(
      `${kind === "set" ? "Set" : "Reset"} checkpoints of event hub ${report.eventHubName}, consumer group ${report.consumerGroup}, ${report.store === "blob" ? "container" : "table"} ${report.container}:\n\n${table}\n\n` +
        (owned.length > 0
          ? owned.length === 1
            ? "1 of these partitions has an owner written in its lease: eph will take the lease from it (it stops reading the partition) and release it after the change.\n"
            : `${owned.length} of these partitions have an owner written in their lease: eph will take each lease from its owner (which stops reading that partition) and release it after the change.\n`
          : ""),
    );
    if (values.yes !== true) {
      const answer = await confirm(io, "Proceed?");
      if (answer === "no-terminal") {
        throw new CliError(
          ExitCode.NotConfirmed,
          `No terminal to confirm on: run again with --yes to ${kind} checkpoints.`,
        );
      }
      if (answer === "no") throw new CliError(ExitCode.NotConfirmed, "Not confirmed: nothing was changed.");
    }
    const results: ChangeResult[] = [];
    let failure: ExitCodeValue | undefined;
    for (const { partition: p, target } of plan) {
      const base = { partitionId: p.partitionId, previous: p.checkpoint ?? null };
      try {
        const outcome = await session.call(`Changing the checkpoint of partition ${p.partitionId}`, (abortSignal) =>
          replaceCheckpoint(session.stores.leaser, session.stores.checkpointer, p.partitionId, target, abortSignal),
        );
        const cp = outcome.checkpoint;
        results.push({
          ...base,
          checkpoint: cp
            ? { sequenceNumber: cp.sequenceNumber, offset: cp.offset, enqueuedTime: cp.enqueuedTime.toISOString() }
            : null,
          epoch: outcome.epoch,
          outcome: "changed",
          error: null,
        });
      } catch (error) {
        if (error instanceof CliError && error.exitCode === ExitCode.Interrupted) throw error;
        const conflict =
          isEphError(error, "LeaseLost") || (error instanceof CliError && error.exitCode === ExitCode.Conflict);
        results.push({
          ...base,
          checkpoint: null,
          epoch: null,
          outcome: conflict ? "conflict" : "failed",
          error: conflict
            ? "lost the race for the lease three times (hosts kept changing it); nothing was changed"
            : describeError(error, session.settings.secrets),
        });
        if (!conflict) failure ??= exitCodeFor(error);
      }
    }
    if (values.json) io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    else {
      for (const r of results) {
        io.stdout.write(
          r.outcome === "changed"
            ? `partition ${r.partitionId}: checkpoint ${cpText(r.previous ?? undefined)} -> ${r.checkpoint ? r.checkpoint.sequenceNumber : "none"} (written at epoch ${r.epoch})\n`
            : `partition ${r.partitionId}: ${r.outcome}: ${r.error}\n`,
        );
      }
    }
    if (results.every((r) => r.outcome === "changed")) return ExitCode.Ok;
    return failure ?? ExitCode.Conflict;
  } finally {
    await session.close();
  }
}
