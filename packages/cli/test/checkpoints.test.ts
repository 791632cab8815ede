import { BlobCheckpointer } from "@eph/checkpointer-blob";
import { type HostInfo, isEphError } from "@eph/core";
import type { EventProcessorHost } from "@eph/host";
import { BlobLeaser } from "@eph/leaser-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replaceCheckpoint } from "../src/checkpoint-change.js";
import { ExitCode } from "../src/exit-codes.js";
import { type LocalStack, startLocalStack } from "../src/local-stack.js";
import type { CheckpointView } from "../src/status.js";
import { HostLog, sendEvents, startHost } from "./hosts.js";
import { runEph, waitFor } from "./run-eph.js";

const hub = "orders";
const container = "cp-leases";
const ids = ["0", "1", "2"];
let stack: LocalStack;
let env: Record<string, string>;
const log = new HostLog();
let host: EventProcessorHost | undefined;

interface ListRow {
  partitionId: string;
  checkpoint: CheckpointView | null;
  lastEnqueuedSequenceNumber: number;
  lag: number;
}
interface ChangeRow {
  partitionId: string;
  previous: CheckpointView | null;
  checkpoint: CheckpointView | null;
  epoch: number | null;
  outcome: string;
}

beforeAll(async () => {
  stack = await startLocalStack({ hubs: { [hub]: 3 } });
  env = {
    EPH_EVENTHUB_CONNECTION_STRING: stack.eventHubConnectionString(hub),
    EPH_STORAGE_CONNECTION_STRING: stack.storageConnectionString,
    EPH_CONTAINER: container,
  };
  for (const id of ids) await sendEvents(stack, hub, id, 10);
});

afterAll(async () => {
  await host?.close();
  await stack?.close();
});

async function list(): Promise<ListRow[]> {
  const run = await runEph(["checkpoints", "list", "--json"], env);
  expect(run.code, run.stderr).toBe(ExitCode.Ok);
  return JSON.parse(run.stdout) as ListRow[];
}

function hostInfo(hostName: string): HostInfo {
  return {
    hostName,
    fullyQualifiedNamespace: `${stack.emulator.host}:${stack.emulator.port}`,
    eventHubName: hub,
    consumerGroup: "$Default",
  };
}

describe("eph checkpoints against the emulator, Azurite and a running host", () => {
  it("list shows every checkpoint with the lag", async () => {
    host = await startHost(stack, hub, container, "host-1", log);
    await waitFor(async () => (await list()).every((r) => r.checkpoint?.sequenceNumber === 9), "checkpoints at 9");
    const rows = await list();
    expect(rows.map((r) => r.partitionId)).toEqual(ids);
    for (const r of rows) {
      expect(r.lastEnqueuedSequenceNumber).toBe(9);
      expect(r.lag).toBe(0);
      expect(r.checkpoint?.offset).not.toBe("");
    }
  });

  it("set refuses without a terminal unless --yes, and changes nothing", async () => {
    const run = await runEph(["checkpoints", "set", "--partition", "1", "--sequence-number", "3"], env);
    expect(run.code).toBe(ExitCode.NotConfirmed);
    expect(run.stderr).toContain("--yes");
    expect(run.stderr).toMatch(/^1\s+host-1\s+\d+\s+9\s+3\s+9$/m);
    expect((await list())[1]?.checkpoint?.sequenceNumber).toBe(9);
  });

  it("set moves a checkpoint back while the host runs: the host lets go, takes it again and replays", async () => {
    const before = log.delivered("1").length;
    const run = await runEph(
      ["checkpoints", "set", "--partition", "1", "--sequence-number", "3", "--yes", "--json"],
      env,
    );
    expect(run.code, run.stderr).toBe(ExitCode.Ok);
    const [row] = JSON.parse(run.stdout) as ChangeRow[];
    expect(row?.outcome).toBe("changed");
    expect(row?.previous?.sequenceNumber).toBe(9);
    expect(row?.checkpoint?.sequenceNumber).toBe(3);
    // The offset and time are those of event 3 itself, read from the hub.
    expect(row?.checkpoint?.offset).not.toBe("");
    await waitFor(
      () => log.opened.some((o) => o.partitionId === "1" && o.checkpoint?.sequenceNumber === 3),
      "the host reopening partition 1 at checkpoint 3",
    );
    await waitFor(() => log.delivered("1").length >= before + 6, "events 4-9 of partition 1 delivered again");
    expect(log.delivered("1").slice(before, before + 6)).toEqual([4, 5, 6, 7, 8, 9]);
    const reopened = log.opened.filter((o) => o.partitionId === "1").at(-1);
    expect(reopened?.epoch).toBeGreaterThan(row?.epoch ?? Number.POSITIVE_INFINITY);
  });

  it("reset removes a checkpoint: the partition's lag becomes every retained event", async () => {
    await host?.close();
    host = undefined;
    const run = await runEph(["checkpoints", "reset", "--partition", "2", "--yes"], env);
    expect(run.code, run.stderr).toBe(ExitCode.Ok);
    expect(run.stdout).toContain("partition 2: checkpoint 9 -> none");
    const rows = await list();
    expect(rows[2]?.checkpoint).toBeNull();
    expect(rows[2]?.lag).toBe(10);
    expect(rows[0]?.checkpoint?.sequenceNumber).toBe(9);
  });

  it("set --latest --all skips everything enqueued so far", async () => {
    await sendEvents(stack, hub, "0", 4);
    const run = await runEph(["checkpoints", "set", "--all", "--latest", "--yes", "--json"], env);
    expect(run.code, run.stderr).toBe(ExitCode.Ok);
    const rows = await list();
    expect(rows.map((r) => r.checkpoint?.sequenceNumber)).toEqual([13, 9, 9]);
    expect(rows.every((r) => r.lag === 0)).toBe(true);
  });

  it("refuses unknown partitions, events not yet enqueued and contradictory flags", async () => {
    const unknown = await runEph(["checkpoints", "reset", "--partition", "7", "--yes"], env);
    expect(unknown.code).toBe(ExitCode.NotFound);
    expect(unknown.stderr).toContain("no partition 7");
    const future = await runEph(["checkpoints", "set", "--partition", "1", "--sequence-number", "99", "--yes"], env);
    expect(future.code).toBe(ExitCode.Usage);
    expect(future.stderr).toContain("no event 99");
    const both = await runEph(["checkpoints", "set", "--all", "--latest", "--sequence-number", "1", "--yes"], env);
    expect(both.code).toBe(ExitCode.Usage);
    const none = await runEph(["checkpoints", "reset", "--yes"], env);
    expect(none.code).toBe(ExitCode.Usage);
    expect((await list()).map((r) => r.checkpoint?.sequenceNumber)).toEqual([13, 9, 9]);
  });
});

describe("replaceCheckpoint", () => {
  it("takes a lease its owner keeps renewing, and gives up unchanged when it keeps losing the race", async () => {
    const leaser = BlobLeaser.fromConnectionString(stack.storageConnectionString, container);
    const checkpointer = BlobCheckpointer.fromConnectionString(stack.storageConnectionString, container);
    leaser.setEventProcessorHost(hostInfo("operator"));
    checkpointer.setEventProcessorHost(hostInfo("operator"));
    const busy = BlobLeaser.fromConnectionString(stack.storageConnectionString, container);
    busy.setEventProcessorHost(hostInfo("busy-host"));
    await busy.acquireLease("0");
    // The owner renews between every read and every take of the operator.
    let renewalsLeft = 0;
    const acquireLease = async (...args: Parameters<typeof leaser.acquireLease>) => {
      if (renewalsLeft-- > 0) await busy.renewLease("0");
      return leaser.acquireLease(...args);
    };
    // Every other method on the leaser itself (its state is in private fields, which a prototype copy lacks).
    const racing = new Proxy(leaser, {
      get: (target, name) => {
        if (name === "acquireLease") return acquireLease;
        const value: unknown = Reflect.get(target, name, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    renewalsLeft = 3;
    const error = await replaceCheckpoint(
      racing,
      checkpointer,
      "0",
      { kind: "none" },
      AbortSignal.timeout(10_000),
    ).catch((e: unknown) => e);
    expect(isEphError(error, "LeaseLost")).toBe(true);
    expect((await checkpointer.getCheckpoint("0"))?.sequenceNumber).toBe(13);
    expect((await busy.getLeases()).find((l) => l.partitionId === "0")?.owner).toBe("busy-host");

    renewalsLeft = 2;
    const outcome = await replaceCheckpoint(racing, checkpointer, "0", { kind: "none" }, AbortSignal.timeout(10_000));
    expect(outcome.checkpoint).toBeUndefined();
    expect(await checkpointer.getCheckpoint("0")).toBeUndefined();
    await expect(busy.renewLease("0")).rejects.toMatchObject({ code: "LeaseLost" });
    await Promise.all([leaser.close(), checkpointer.close(), busy.close()]);
  });

  it("fences the deposed owner: its later checkpoint writes are refused", async () => {
    const owner = BlobLeaser.fromConnectionString(stack.storageConnectionString, container);
    const ownerCheckpoints = BlobCheckpointer.fromConnectionString(stack.storageConnectionString, container);
    owner.setEventProcessorHost(hostInfo("owner"));
    ownerCheckpoints.setEventProcessorHost(hostInfo("owner"));
    const lease = await owner.acquireLease("2");
    await ownerCheckpoints.ensureCheckpoint("2", { epoch: lease.epoch });

    const leaser = BlobLeaser.fromConnectionString(stack.storageConnectionString, container);
    const checkpointer = BlobCheckpointer.fromConnectionString(stack.storageConnectionString, container);
    leaser.setEventProcessorHost(hostInfo("operator"));
    checkpointer.setEventProcessorHost(hostInfo("operator"));
    const outcome = await replaceCheckpoint(leaser, checkpointer, "2", { kind: "none" }, AbortSignal.timeout(10_000));
    expect(outcome.epoch).toBe(lease.epoch + 1);

    const late = await ownerCheckpoints
      .updateCheckpoint("2", { sequenceNumber: 9, offset: "0", enqueuedTime: new Date() }, { epoch: lease.epoch })
      .catch((e: unknown) => e);
    expect(isEphError(late, "CheckpointFenced")).toBe(true);
    expect(await checkpointer.getCheckpoint("2")).toBeUndefined();
    // Released: the next host takes it at its next scan.
    expect((await leaser.getLeases()).find((l) => l.partitionId === "2")?.owner).toBe("");
    await Promise.all([owner.close(), ownerCheckpoints.close(), leaser.close(), checkpointer.close()]);
  });
});
