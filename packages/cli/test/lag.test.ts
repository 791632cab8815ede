import { BlobCheckpointer } from "@eph/checkpointer-blob";
import { TableCheckpointer } from "@eph/checkpointer-table";
import type { Checkpointer } from "@eph/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../src/exit-codes.js";
import type { LagReport } from "../src/lag-report.js";
import { type LocalStack, startLocalStack } from "../src/local-stack.js";
import type { StatusReport } from "../src/status.js";
import { sendEvents } from "./hosts.js";
import { runEph } from "./run-eph.js";

const hub = "orders";
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ hubs: { [hub]: 4 } });
  // 10 events in each partition: sequence numbers 0-9.
  for (const id of ["0", "1", "2", "3"]) await sendEvents(stack, hub, id, 10);
  await checkpoint(BlobCheckpointer.fromConnectionString(stack.storageConnectionString, "lag-blob"));
  await checkpoint(TableCheckpointer.fromConnectionString(stack.storageConnectionString, "lagtable"));
});
afterAll(async () => {
  await stack?.close();
});

/** Stores checkpoints as a host would: partition 0 at its last event, partition 1 at sequence number 4. */
async function checkpoint(checkpointer: Checkpointer): Promise<void> {
  checkpointer.setEventProcessorHost({
    hostName: "lag-test",
    fullyQualifiedNamespace: new URL(stack.eventHubConnectionString(hub).split(";")[0]?.slice(9) ?? "").host,
    eventHubName: hub,
    consumerGroup: "$Default",
  });
  await checkpointer.ensureStore();
  for (const [partitionId, sequenceNumber] of [
    ["0", 9],
    ["1", 4],
  ] as const) {
    await checkpointer.ensureCheckpoint(partitionId);
    await checkpointer.updateCheckpoint(
      partitionId,
      { sequenceNumber, offset: String(sequenceNumber), enqueuedTime: new Date() },
      { epoch: 1 },
    );
  }
}

function envFor(container: string, store = "blob"): Record<string, string> {
  return {
    EPH_EVENTHUB_CONNECTION_STRING: stack.eventHubConnectionString(hub),
    EPH_STORAGE_CONNECTION_STRING: stack.storageConnectionString,
    EPH_CONTAINER: container,
    EPH_STORE: store,
  };
}

describe("eph lag against the emulator and Azurite", () => {
  it.each([
    ["blob", "lag-blob", (c: string) => BlobCheckpointer.fromConnectionString(stack.storageConnectionString, c)],
    ["table", "lagtable", (c: string) => TableCheckpointer.fromConnectionString(stack.storageConnectionString, c)],
  ] as const)(
    "reports each partition's lag and the total, as status counts them (%s store)",
    async (store, container, make) => {
      await checkpoint(make(container));
      const env = envFor(container, store);
      const run = await runEph(["lag", "--json"], env);
      expect(run.code, run.stderr).toBe(ExitCode.Ok);
      const report = JSON.parse(run.stdout) as LagReport;
      expect(report.partitions).toEqual([
        { partitionId: "0", checkpointSequenceNumber: 9, lastEnqueuedSequenceNumber: 9, lag: 0 },
        { partitionId: "1", checkpointSequenceNumber: 4, lastEnqueuedSequenceNumber: 9, lag: 5 },
        { partitionId: "2", checkpointSequenceNumber: null, lastEnqueuedSequenceNumber: 9, lag: 10 },
        { partitionId: "3", checkpointSequenceNumber: null, lastEnqueuedSequenceNumber: 9, lag: 10 },
      ]);
      expect(report.totalLag).toBe(25);
      expect(report.threshold).toBeNull();
      expect(report.aboveThreshold).toBe(false);
      // The same figures as eph status.
      const status = JSON.parse((await runEph(["status", "--json"], env)).stdout) as StatusReport;
      expect(status.partitions.map((p) => p.lag)).toEqual(report.partitions.map((p) => p.lag));
      expect(status.totalLag).toBe(report.totalLag);
    },
  );

  it("--threshold N exits 8 when the total lag is above N, 0 at or below it; the report is printed either way", async () => {
    const env = envFor("lag-blob");
    const at = await runEph(["lag", "--threshold", "25"], env);
    expect(at.code, at.stderr).toBe(ExitCode.Ok);
    expect(at.stdout).toContain("total lag 25 (within the threshold 25)");
    const above = await runEph(["lag", "--threshold", "24"], env);
    expect(above.code, above.stderr).toBe(ExitCode.LagAboveThreshold);
    expect(ExitCode.LagAboveThreshold).toBe(8);
    expect(above.stdout).toMatch(/^PARTITION +CHECKPOINT +LAST-ENQUEUED +LAG$/m);
    expect(above.stdout).toMatch(/^1 +4 +9 +5$/m);
    expect(above.stdout).toContain("total lag 25 (above the threshold 24)");
    expect(above.stderr).toContain("total lag 25 is above --threshold 24");
    const json = await runEph(["lag", "--json", "--threshold", "0"], env);
    expect(json.code).toBe(ExitCode.LagAboveThreshold);
    expect(JSON.parse(json.stdout)).toMatchObject({ totalLag: 25, threshold: 0, aboveThreshold: true });
  });

  it("before any host ran: every retained event is lag, the missing container is a note, exit 0", async () => {
    const run = await runEph(["lag", "--json"], envFor("never-created"));
    expect(run.code, run.stderr).toBe(ExitCode.Ok);
    const report = JSON.parse(run.stdout) as LagReport;
    expect(report.totalLag).toBe(40);
    expect(report.notes.join(" ")).toContain('"never-created" does not exist');
  });

  it("a bad --threshold is a usage error naming the flag", async () => {
    for (const value of ["-1", "ten", "1.5"]) {
      const run = await runEph(["lag", `--threshold=${value}`], envFor("lag-blob"));
      expect(run.code).toBe(ExitCode.Usage);
      expect(run.stderr).toContain("--threshold");
    }
  });
});
