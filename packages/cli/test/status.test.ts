import { spawn } from "node:child_process";
import type { EventProcessorHost } from "@eph/host";
import { BlobLeaser } from "@eph/leaser-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../src/exit-codes.js";
import { type LocalStack, startLocalStack } from "../src/local-stack.js";
import type { StatusReport } from "../src/status.js";
import { HostLog, sendEvents, startHost } from "./hosts.js";
import { bin, runEph, waitFor } from "./run-eph.js";

const hub = "orders";
const container = "status-leases";
const ids = ["0", "1", "2", "3"];
let stack: LocalStack;
let env: Record<string, string>;
const log = new HostLog();
const hosts: EventProcessorHost[] = [];

beforeAll(async () => {
  stack = await startLocalStack({ hubs: { [hub]: 4 } });
  env = {
    EPH_EVENTHUB_CONNECTION_STRING: stack.eventHubConnectionString(hub),
    EPH_STORAGE_CONNECTION_STRING: stack.storageConnectionString,
    EPH_CONTAINER: container,
  };
  for (const id of ids) await sendEvents(stack, hub, id, 10);
});

afterAll(async () => {
  await Promise.allSettled(hosts.map((h) => h.close()));
  await stack?.close();
});

async function status(...args: string[]): Promise<StatusReport> {
  const run = await runEph(["status", "--json", ...args], env);
  expect(run.code, run.stderr).toBe(ExitCode.Ok);
  return JSON.parse(run.stdout) as StatusReport;
}

describe("eph status against the emulator and Azurite", () => {
  it("shows every partition's owner, epoch, checkpoint, last enqueued sequence number and lag", async () => {
    hosts.push(await startHost(stack, hub, container, "host-1", log));
    hosts.push(await startHost(stack, hub, container, "host-2", log));
    await waitFor(
      () => hosts.every((h) => h.partitionIdsBeingProcessed().length === 2) && log.events.length >= 40,
      "two hosts reading two partitions each, all 40 events handled",
    );
    // Checkpoints follow the handled events within the 100 ms checkpoint interval.
    let report = await status();
    await waitFor(async () => {
      report = await status();
      return report.totalLag === 0;
    }, "every checkpoint at the last event");

    expect(report.eventHubName).toBe(hub);
    expect(report.consumerGroup).toBe("$Default");
    expect(report.container).toBe(container);
    expect(report.partitions.map((p) => p.partitionId)).toEqual(ids);
    const readers = new Map(hosts.flatMap((h) => h.partitionIdsBeingProcessed().map((p) => [p, h.getName()])));
    for (const p of report.partitions) {
      expect(p.owner).toBe(readers.get(p.partitionId));
      expect(p.leaseState).toBe("owned");
      expect(p.epoch).toBeGreaterThanOrEqual(1);
      expect(p.checkpoint?.sequenceNumber).toBe(9);
      expect(p.lastEnqueuedSequenceNumber).toBe(9);
      expect(p.lag).toBe(0);
    }
    expect(report.owners).toEqual([
      { owner: "host-1", partitions: 2 },
      { owner: "host-2", partitions: 2 },
    ]);
  });

  it("prints the same as a table", async () => {
    const run = await runEph(["status"], env);
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stdout).toMatch(/^PARTITION\s+OWNER\s+EPOCH\s+LEASE\s+CHECKPOINT\s+LAST-ENQUEUED\s+LAG$/m);
    for (const id of ids)
      expect(run.stdout).toMatch(new RegExp(`^${id}\\s+host-[12]\\s+\\d+\\s+owned\\s+9\\s+9\\s+0$`, "m"));
    expect(run.stdout).toContain("2 owners: host-1 (2), host-2 (2); total lag 0");
  });

  it("after the hosts close, shows the leases released and the lag of new events", async () => {
    await Promise.all(hosts.splice(0).map((h) => h.close()));
    await sendEvents(stack, hub, "0", 5);
    const report = await status();
    for (const p of report.partitions) {
      expect(p.leaseState).toBe("released");
      expect(p.owner).toBe("");
      expect(p.checkpoint?.sequenceNumber).toBe(9);
    }
    expect(report.partitions[0]?.lastEnqueuedSequenceNumber).toBe(14);
    expect(report.partitions[0]?.lag).toBe(5);
    expect(report.totalLag).toBe(5);
  });

  it("a consumer group no host has used shows missing leases and every retained event as lag", async () => {
    const report = await status("--consumer-group", "billing");
    expect(report.consumerGroup).toBe("billing");
    for (const p of report.partitions) {
      expect(p.leaseState).toBe("missing");
      expect(p.checkpoint).toBeUndefined();
      expect(p.lag).toBe(p.lastEnqueuedSequenceNumber + 1);
    }
  });

  it("finds checkpoints in another container and in the layout of @azure/eventhubs-checkpointstore-blob", async () => {
    const split = await startHost(stack, hub, "split-leases", "host-3", log, {
      container: "split-checkpoints",
      layout: "checkpointstore-blob",
    });
    try {
      const flags = ["--container", "split-leases", "--checkpoint-container", "split-checkpoints"];
      let report = await status(...flags, "--checkpoint-layout", "checkpointstore-blob");
      await waitFor(async () => {
        report = await status(...flags, "--checkpoint-layout", "checkpointstore-blob");
        return report.totalLag === 0;
      }, "the split host's checkpoints at the last event");
      expect(report.checkpointContainer).toBe("split-checkpoints");
      expect(report.partitions.every((p) => p.owner === "host-3")).toBe(true);
      // The default layout reads the same blobs (both name them as KEDA and the official store do).
      const other = await status(...flags);
      expect(other.partitions.map((p) => p.checkpoint)).toEqual(report.partitions.map((p) => p.checkpoint));
      expect(other.totalLag).toBe(0);
    } finally {
      await split.close();
    }
  });

  it("--watch judges expiry on its own clock: a renewed lease never expires, an abandoned one does", async () => {
    const info = {
      fullyQualifiedNamespace: `${stack.emulator.host}:${stack.emulator.port}`,
      eventHubName: hub,
      consumerGroup: "$Default",
    };
    const alive = BlobLeaser.fromConnectionString(stack.storageConnectionString, container);
    const ghost = BlobLeaser.fromConnectionString(stack.storageConnectionString, container);
    alive.setEventProcessorHost({ ...info, hostName: "alive" });
    ghost.setEventProcessorHost({ ...info, hostName: "ghost" });
    await alive.acquireLease("0");
    await ghost.acquireLease("1");
    let renewing = true;
    const renewals = (async () => {
      while (renewing) {
        await alive.renewLease("0");
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    })();
    const child = spawn(
      process.execPath,
      [bin, "status", "--watch", "--json", "--interval", "0.2", "--lease-duration", "1"],
      { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] },
    );
    const reports: (StatusReport & { partitions: { leaseExpired?: boolean; leaseUnchangedForMs?: number }[] })[] = [];
    let buffered = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) reports.push(JSON.parse(line));
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    try {
      await waitFor(
        () => reports.some((r) => r.partitions[1]?.leaseExpired === true),
        "the ghost's lease seen expired",
      );
      const last = reports.at(-1);
      expect(last?.partitions[1]?.owner).toBe("ghost");
      expect(last?.partitions[1]?.leaseState).toBe("owned");
      expect(last?.partitions[1]?.leaseUnchangedForMs).toBeGreaterThanOrEqual(1000);
      for (const r of reports) {
        expect(r.partitions[0]?.owner).toBe("alive");
        expect(r.partitions[0]?.leaseExpired).toBe(false);
      }
      // Released leases are not judged.
      expect(last?.partitions[2]?.leaseExpired).toBeUndefined();
    } finally {
      renewing = false;
      await renewals;
      child.kill("SIGINT");
    }
    expect(await exited).toBe(ExitCode.Ok);
    await Promise.all([alive.releaseLease("0"), ghost.releaseLease("1")]);
    await Promise.all([alive.close(), ghost.close()]);
  });
});
