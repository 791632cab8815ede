import { BlobCheckpointStore } from "@azure/eventhubs-checkpointstore-blob";
import type { ContainerClient } from "@azure/storage-blob";
import {
  type AzuriteInstance,
  blobConnectionString,
  blobQuickRetries,
  freshContainerName,
  hostInfo,
  rawContainer,
  startAzurite,
} from "@eph/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BlobCheckpointer } from "../src/index.js";

let azurite: AzuriteInstance;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.close();
});

// Mixed case on purpose: the official store lower-cases namespace, hub and consumer group in blob names.
const fullyQualifiedNamespace = "Contoso.servicebus.windows.net";
const eventHubName = "Orders";
const consumerGroup = "$Default";

let containerName: string;
let raw: ContainerClient;
let official: BlobCheckpointStore;
beforeEach(async () => {
  containerName = freshContainerName();
  raw = rawContainer(azurite.blobEndpoint, containerName);
  await raw.create();
  official = new BlobCheckpointStore(raw);
});

function eph(layout: "eph" | "checkpointstore-blob" = "checkpointstore-blob"): BlobCheckpointer {
  const c = BlobCheckpointer.fromConnectionString(blobConnectionString(azurite.blobEndpoint), containerName, {
    clientOptions: blobQuickRetries,
    layout,
  });
  c.setEventProcessorHost(hostInfo("eph-host", { fullyQualifiedNamespace, eventHubName, consumerGroup }));
  return c;
}

function officialCheckpoint(partitionId: string, sequenceNumber: number, offset: string) {
  return { fullyQualifiedNamespace, eventHubName, consumerGroup, partitionId, sequenceNumber, offset };
}

async function officialList() {
  const list = await official.listCheckpoints(fullyQualifiedNamespace, eventHubName, consumerGroup);
  return list
    .map((c) => ({ partitionId: c.partitionId, sequenceNumber: c.sequenceNumber, offset: c.offset }))
    .sort((a, b) => a.partitionId.localeCompare(b.partitionId));
}

describe("checkpointstore-blob layout", () => {
  it("reads the positions an EventHubConsumerClient's BlobCheckpointStore wrote", async () => {
    await official.updateCheckpoint(officialCheckpoint("0", 41, "4100"));
    await official.updateCheckpoint(officialCheckpoint("1", 7, "700"));
    const c = eph();
    expect(await c.getCheckpoint("0")).toEqual({ offset: "4100", sequenceNumber: 41, enqueuedTime: new Date(0) });
    // A new owner takes over the official position and raises the fence on it.
    expect(await c.ensureCheckpoint("1", { epoch: 3 })).toMatchObject({ offset: "700", sequenceNumber: 7 });
    expect(await c.getCheckpoint("2")).toBeUndefined();
    // The official reader still reads the record eph fenced.
    expect(await officialList()).toEqual([
      { partitionId: "0", sequenceNumber: 41, offset: "4100" },
      { partitionId: "1", sequenceNumber: 7, offset: "700" },
    ]);
  });

  it("writes positions the official BlobCheckpointStore reads", async () => {
    const c = eph();
    const time = new Date(Date.UTC(2024, 4, 5, 6, 7, 8, 9));
    await c.ensureCheckpoint("0", { epoch: 1 });
    await c.updateCheckpoint("0", { offset: "1200", sequenceNumber: 12, enqueuedTime: time }, { epoch: 1 });
    await c.updateCheckpoint("3", { offset: "300", sequenceNumber: 3, enqueuedTime: time }, { epoch: 2 });
    expect(await officialList()).toEqual([
      { partitionId: "0", sequenceNumber: 12, offset: "1200" },
      { partitionId: "3", sequenceNumber: 3, offset: "300" },
    ]);
    const names: string[] = [];
    for await (const blob of raw.listBlobsFlat({ includeMetadata: true })) {
      names.push(blob.name);
      if (blob.name.endsWith("/0")) {
        expect(blob.metadata).toEqual({
          sequencenumber: "12",
          offset: "1200",
          ephformat: "1",
          ephfence: "1",
          ephenqueuedtime: "2024-05-05T06:07:08.009Z",
        });
      }
    }
    expect(names).toEqual([
      "contoso.servicebus.windows.net/orders/$default/checkpoint/0",
      "contoso.servicebus.windows.net/orders/$default/checkpoint/3",
    ]);
    // eph reads its own enqueued time back exactly.
    expect(await eph().getCheckpoint("0")).toEqual({ offset: "1200", sequenceNumber: 12, enqueuedTime: time });
  });

  it("a record with a fence and no position reads as the start of the stream to the official store", async () => {
    const c = eph();
    await c.ensureCheckpoint("5", { epoch: 4 });
    expect(await c.getCheckpoint("5")).toBeUndefined();
    // Without a position the official readers would fail on the record; "-1" makes them start from the
    // beginning of the partition: events may be read again, never skipped.
    expect(await officialList()).toEqual([{ partitionId: "5", sequenceNumber: -1, offset: "-1" }]);
  });

  it("hands positions back and forth: official, eph, official again", async () => {
    await official.updateCheckpoint(officialCheckpoint("0", 10, "1000"));
    const c = eph();
    expect(await c.ensureCheckpoint("0", { epoch: 1 })).toMatchObject({ sequenceNumber: 10 });
    // eph refuses to move the official position backwards.
    const regression = c.updateCheckpoint(
      "0",
      { offset: "900", sequenceNumber: 9, enqueuedTime: new Date() },
      { epoch: 1 },
    );
    await expect(regression).rejects.toMatchObject({ code: "CheckpointRegressed" });
    await c.updateCheckpoint("0", { offset: "1100", sequenceNumber: 11, enqueuedTime: new Date() }, { epoch: 1 });
    expect(await officialList()).toEqual([{ partitionId: "0", sequenceNumber: 11, offset: "1100" }]);
    // The official store writes unconditionally and replaces all metadata: eph's fence is gone with it.
    await official.updateCheckpoint(officialCheckpoint("0", 15, "1500"));
    expect(await c.getCheckpoint("0")).toEqual({ offset: "1500", sequenceNumber: 15, enqueuedTime: new Date(0) });
    // eph's cached ETag is stale: its next write reads again, sees position 15 and goes on from there.
    await c.updateCheckpoint("0", { offset: "1600", sequenceNumber: 16, enqueuedTime: new Date() }, { epoch: 1 });
    expect(await officialList()).toEqual([{ partitionId: "0", sequenceNumber: 16, offset: "1600" }]);
  });

  it("the default eph layout detects a record the official store rewrote and never reads it as fence 0", async () => {
    const c = eph("eph");
    await c.ensureCheckpoint("0", { epoch: 4 });
    await c.updateCheckpoint("0", { offset: "2000", sequenceNumber: 20, enqueuedTime: new Date() }, { epoch: 4 });
    // Both share the blob KEDA reads; the official processor's write replaces all metadata, fence included.
    expect(await officialList()).toEqual([{ partitionId: "0", sequenceNumber: 20, offset: "2000" }]);
    await official.updateCheckpoint(officialCheckpoint("0", 30, "3000"));
    await expect(c.getCheckpoint("0")).rejects.toMatchObject({ code: "CorruptRecord" });
    // A deposed owner (epoch 1 < 4) must still be refused, not let through by a fence read as 0.
    const deposed = eph("eph").updateCheckpoint(
      "0",
      { offset: "3100", sequenceNumber: 31, enqueuedTime: new Date() },
      { epoch: 1 },
    );
    await expect(deposed).rejects.toMatchObject({
      code: "CorruptRecord",
      message: expect.stringContaining("ephfence"),
    });
    expect(await officialList()).toEqual([{ partitionId: "0", sequenceNumber: 30, offset: "3000" }]);
  });
});
