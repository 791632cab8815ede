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
import { type KedaTrigger, kedaLag, kedaTotalLag } from "./keda-lag.js";

let azurite: AzuriteInstance;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.close();
});

// KEDA takes namespace and hub as configured and lower-cases only the consumer group: the ScaledObject
// names them lower-case (docs/kubernetes.md), as eph and the official store write them.
const fullyQualifiedNamespace = "contoso.servicebus.windows.net";
const eventHubName = "orders";
const trigger: KedaTrigger = { fullyQualifiedNamespace, eventHubName, consumerGroup: "$Default" };
const legacyPrefix = `${fullyQualifiedNamespace}/${eventHubName}/$default/eph-checkpoint/`;

let containerName: string;
let raw: ContainerClient;
beforeEach(async () => {
  containerName = freshContainerName();
  raw = rawContainer(azurite.blobEndpoint, containerName);
  await raw.create();
});

function checkpointer(): BlobCheckpointer {
  const c = BlobCheckpointer.fromConnectionString(blobConnectionString(azurite.blobEndpoint), containerName, {
    clientOptions: blobQuickRetries,
  });
  c.setEventProcessorHost(hostInfo("eph-host", { fullyQualifiedNamespace, eventHubName, consumerGroup: "$Default" }));
  return c;
}

const at = (sequenceNumber: number) => ({
  sequenceNumber,
  offset: String(sequenceNumber * 10),
  enqueuedTime: new Date(Date.UTC(2024, 0, 1) + sequenceNumber),
});
const partition = (partitionId: string, lastEnqueuedSequenceNumber: number, beginningSequenceNumber = 0) => ({
  partitionId,
  beginningSequenceNumber,
  lastEnqueuedSequenceNumber,
});
const lastEnqueued = (value: number) => async () => value;

describe("KEDA's blobMetadata strategy reads the default layout", () => {
  it("reads last enqueued minus the checkpoint after every write", async () => {
    const c = checkpointer();
    await c.ensureCheckpoint("0", { epoch: 1, lastEnqueuedSequenceNumber: lastEnqueued(499) });
    await c.updateCheckpoint("0", at(100), { epoch: 1 });
    expect(await kedaLag(raw, trigger, partition("0", 499))).toEqual({ lag: 399 });
    await c.updateCheckpoint("0", at(499), { epoch: 1 });
    expect(await kedaLag(raw, trigger, partition("0", 499))).toEqual({ lag: 0 });
  });

  it("a record with a fence and no position reads as what arrived since it was taken, not the history", async () => {
    const c = checkpointer();
    // A hub with a million events retained; the host takes the partition and has checkpointed nothing yet.
    await c.ensureCheckpoint("0", { epoch: 1, lastEnqueuedSequenceNumber: lastEnqueued(999_999) });
    expect(await c.getCheckpoint("0"), "eph still sees no position").toBeUndefined();
    expect(await kedaLag(raw, trigger, partition("0", 999_999))).toEqual({ lag: 0 });
    expect(await kedaLag(raw, trigger, partition("0", 1_000_049))).toEqual({ lag: 50 });
    // A new owner raising the fence keeps the baseline (no second call to the service is needed).
    await c.ensureCheckpoint("0", {
      epoch: 2,
      lastEnqueuedSequenceNumber: () => Promise.reject(new Error("not to be asked")),
    });
    expect(await kedaLag(raw, trigger, partition("0", 1_000_049))).toEqual({ lag: 50 });
    expect(await c.getFence("0")).toBe(2);
  });

  it("a failing lookup of the last sequence number still takes the partition", async () => {
    const c = checkpointer();
    const failing = () => Promise.reject(Object.assign(new Error("secret=abc"), { name: "MessagingError", code: "x" }));
    await expect(c.ensureCheckpoint("0", { epoch: 1, lastEnqueuedSequenceNumber: failing })).resolves.toBeUndefined();
    expect(await c.getFence("0")).toBe(1);
    // Without a baseline KEDA counts from -1, as for a partition without any checkpoint.
    expect(await kedaLag(raw, trigger, partition("0", 9))).toEqual({ lag: 10 });
  });

  it("an empty partition and a missing record read as KEDA documents", async () => {
    const c = checkpointer();
    await c.ensureCheckpoint("0", { epoch: 1, lastEnqueuedSequenceNumber: lastEnqueued(-1) });
    await c.updateCheckpoint("1", at(7), { epoch: 1 });
    const total = await kedaTotalLag(raw, trigger, [partition("0", -1), partition("1", 9), partition("2", 4)]);
    expect(total, "0 + 2 + 5 (no record: last - begin + 1)").toEqual({ lag: 7 });
  });
});

describe("upgrading from the eph-checkpoint layout", () => {
  async function legacyRecord(partitionId: string, metadata: Record<string, string>) {
    await raw.getBlockBlobClient(`${legacyPrefix}${partitionId}`).upload("", 0, { metadata });
  }

  it("carries positions and fences over on first use, once, and KEDA reads them", async () => {
    await legacyRecord("0", {
      fence: "3",
      sequencenumber: "40",
      offset: "400",
      enqueuedtime: "2024-01-01T00:00:00.040Z",
    });
    await legacyRecord("1", { fence: "5" });
    const c = checkpointer();
    expect(await c.getCheckpoint("0")).toEqual(at(40));
    expect(await c.getFence("1")).toBe(5);
    // A deposed owner of the old fence is refused before anything was carried over.
    await expect(c.updateCheckpoint("0", at(41), { epoch: 2 })).rejects.toMatchObject({ code: "CheckpointFenced" });
    expect(await c.ensureCheckpoint("0", { epoch: 4 })).toEqual(at(40));
    await c.ensureCheckpoint("1", { epoch: 6, lastEnqueuedSequenceNumber: lastEnqueued(90) });
    expect(await kedaTotalLag(raw, trigger, [partition("0", 50), partition("1", 95)])).toEqual({ lag: 15 });
    // The old records are marked, their fields kept (an earlier eph still resumes from them).
    const old = await raw.getBlockBlobClient(`${legacyPrefix}0`).getProperties();
    expect(old.metadata).toMatchObject({ fence: "3", sequencenumber: "40", ephmovedto: "checkpoint" });
    // Deleting the new record does not resurrect the old position.
    await c.updateCheckpoint("0", at(45), { epoch: 4 });
    const other = checkpointer();
    expect(await other.getCheckpoint("0")).toEqual(at(45));
    await other.deleteCheckpoint("0");
    expect(await checkpointer().getCheckpoint("0")).toBeUndefined();
  });
});
