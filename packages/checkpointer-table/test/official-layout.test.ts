import type { TableClient } from "@azure/data-tables";
import { TableCheckpointStore } from "@azure/eventhubs-checkpointstore-table";
import type { HostInfo } from "@eph/core";
import { type AzuriteInstance, freshTableName, rawTableClient, startAzurite } from "@eph/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TableCheckpointer } from "../src/index.js";

// These tests run the official @azure/eventhubs-checkpointstore-table (the only published version,
// 1.0.0-alpha.20250804.1) against the same Azurite table as TableCheckpointer in its compatible layout.

let azurite: AzuriteInstance;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.close();
});

const scope = {
  fullyQualifiedNamespace: "ns.servicebus.windows.net",
  eventHubName: "Orders",
  consumerGroup: "$Default",
};
const info: HostInfo = { hostName: "eph-host", ...scope };
const partitionKey = "ns.servicebus.windows.net Orders $Default Checkpoint";

let raw: TableClient;
let official: TableCheckpointStore;
let eph: TableCheckpointer;
beforeEach(async () => {
  const tableName = freshTableName();
  raw = rawTableClient(azurite, tableName);
  await raw.createTable();
  official = new TableCheckpointStore(raw);
  eph = new TableCheckpointer(rawTableClient(azurite, tableName), { layout: "checkpointstore-table" });
  eph.setEventProcessorHost(info);
});

async function stored(): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const e of raw.listEntities()) {
    const { etag, timestamp, ...rest } = e as Record<string, unknown>;
    out.push(rest);
  }
  return out;
}

describe("the checkpointstore-table layout", () => {
  it("reads what the official store wrote, with an unknown enqueued time", async () => {
    await official.updateCheckpoint({ ...scope, partitionId: "3", sequenceNumber: 42, offset: "4200" });
    expect(await stored()).toEqual([{ partitionKey, rowKey: "3", sequencenumber: "42", offset: "4200" }]);
    expect(await eph.getCheckpoint("3")).toEqual({ offset: "4200", sequenceNumber: 42, enqueuedTime: new Date(0) });
    // An official record has no fence: any epoch may write, but not backwards.
    expect(
      (
        await eph
          .updateCheckpoint("3", { offset: "1", sequenceNumber: 1, enqueuedTime: new Date() }, { epoch: 0 })
          .catch((e) => e)
      ).code,
    ).toBe("CheckpointRegressed");
  });

  it("writes what the official store reads, in its documented format", async () => {
    const enqueuedTime = new Date(Date.UTC(2025, 5, 1, 12));
    await eph.ensureCheckpoint("0", { epoch: 2 });
    await eph.updateCheckpoint("0", { offset: "900", sequenceNumber: 9, enqueuedTime }, { epoch: 2 });
    expect(await stored()).toEqual([
      {
        partitionKey,
        rowKey: "0",
        sequencenumber: "9",
        offset: "900",
        ephformat: "1",
        ephfence: "2",
        ephenqueuedtime: String(enqueuedTime.getTime()),
        ephsequencenumber: "9",
      },
    ]);
    expect(
      await official.listCheckpoints(scope.fullyQualifiedNamespace, scope.eventHubName, scope.consumerGroup),
    ).toEqual([{ ...scope, partitionId: "0", offset: "900", sequenceNumber: 9 }]);
    expect(await eph.getCheckpoint("0")).toEqual({ offset: "900", sequenceNumber: 9, enqueuedTime });
  });

  it("keeps its fence when the official store writes over it, and forgets the stale enqueued time", async () => {
    await eph.ensureCheckpoint("0", { epoch: 5 });
    await eph.updateCheckpoint("0", { offset: "100", sequenceNumber: 10, enqueuedTime: new Date(1000) }, { epoch: 5 });
    // The official store merges (upsert Merge) and bypasses fencing, as it always does.
    await official.updateCheckpoint({ ...scope, partitionId: "0", sequenceNumber: 50, offset: "500" });
    expect(await eph.getCheckpoint("0")).toEqual({ offset: "500", sequenceNumber: 50, enqueuedTime: new Date(0) });
    const fenced = await eph
      .updateCheckpoint("0", { offset: "600", sequenceNumber: 60, enqueuedTime: new Date() }, { epoch: 4 })
      .catch((e) => e);
    expect(fenced.code).toBe("CheckpointFenced");
    await eph.updateCheckpoint("0", { offset: "600", sequenceNumber: 60, enqueuedTime: new Date(6000) }, { epoch: 5 });
    expect(await eph.getCheckpoint("0")).toEqual({ offset: "600", sequenceNumber: 60, enqueuedTime: new Date(6000) });
  });

  it("stores a fence-only record as the start of the stream for official readers", async () => {
    await eph.ensureCheckpoint("1", { epoch: 3 });
    expect(await eph.getCheckpoint("1")).toBeUndefined();
    expect(
      await official.listCheckpoints(scope.fullyQualifiedNamespace, scope.eventHubName, scope.consumerGroup),
    ).toEqual([{ ...scope, partitionId: "1", offset: "-1", sequenceNumber: -1 }]);
  });

  it("leaves the official ownership records alone", async () => {
    await official.claimOwnership([{ ...scope, partitionId: "0", ownerId: "official-processor" }]);
    await eph.updateCheckpoint("0", { offset: "1", sequenceNumber: 1, enqueuedTime: new Date() }, { epoch: 1 });
    const owners = await official.listOwnership(scope.fullyQualifiedNamespace, scope.eventHubName, scope.consumerGroup);
    expect(owners.map((o) => o.ownerId)).toEqual(["official-processor"]);
  });
});
