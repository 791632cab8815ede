import { ContainerClient } from "@azure/storage-blob";
import { type RecordKey, silentLogger } from "@eph/core";
import {
  type AzuriteInstance,
  blobQuickRetries,
  blobSasConnectionString,
  containerSas,
  freshContainerName,
  rawContainer,
  startAzurite,
} from "@eph/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlobRecordStore, containerClientFromConnectionString } from "../src/index.js";

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
const key = (id: string, kind: RecordKey["kind"] = "lease"): RecordKey => ({ scope, kind, id });

function store(name = freshContainerName()): BlobRecordStore {
  return new BlobRecordStore(rawContainer(azurite.blobEndpoint, name), { logger: silentLogger });
}

describe("BlobRecordStore", () => {
  it("keeps each record in one empty blob named by scope, folder and id, its fields in metadata", async () => {
    const name = freshContainerName();
    const s = store(name);
    await s.ensureStore();
    await s.create(key("0"), { format: "1", owner: "" });
    await s.create(key("a/b", "checkpoint"), { offset: "-1" });
    await s.create(key("h1", "host"), {});
    const names: string[] = [];
    for await (const blob of rawContainer(azurite.blobEndpoint, name).listBlobsFlat({ includeMetadata: true })) {
      names.push(blob.name);
      expect(blob.properties.contentLength).toBe(0);
    }
    expect(names.sort()).toEqual([
      "ns.servicebus.windows.net/orders/$default/checkpoint/a!002fb",
      "ns.servicebus.windows.net/orders/$default/eph-lease/!hosts/h1",
      "ns.servicebus.windows.net/orders/$default/eph-lease/0",
    ]);
    // A scan of leases and hosts is one listing of the lease folder.
    expect((await s.list(scope, { kinds: ["lease", "host"] })).map((r) => `${r.kind}/${r.id}`).sort()).toEqual([
      "host/h1",
      "lease/0",
    ]);
  });

  it("creates a missing container once however many hosts ask at once, and deletes it", async () => {
    const name = freshContainerName();
    const stores = Array.from({ length: 5 }, () => store(name));
    expect(await stores[0]!.storeExists()).toBe(false);
    await Promise.all(stores.map((s) => s.ensureStore()));
    expect(await stores[1]!.storeExists()).toBe(true);
    await stores[2]!.deleteStore();
    expect(await stores[3]!.storeExists()).toBe(false);
    await stores[4]!.deleteStore(); // no error when already gone
  });

  it("works with a SAS scoped to the container, which may not create it or read its properties", async () => {
    const name = freshContainerName();
    await rawContainer(azurite.blobEndpoint, name).create();
    const sas = (container: string) =>
      new BlobRecordStore(
        containerClientFromConnectionString(
          blobSasConnectionString(azurite.blobEndpoint, containerSas(container)),
          container,
          { clientOptions: blobQuickRetries },
        ),
        { logger: silentLogger },
      );
    expect(await sas(name).storeExists()).toBe(true);
    await sas(name).ensureStore();
    const missing = freshContainerName();
    expect(await sas(missing).storeExists()).toBe(false);
    const refused = await sas(missing)
      .ensureStore()
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: "StoreUnavailable", message: expect.stringContaining("403") });
  });

  it("maps failures to the contract's errors, naming the operation and the container", async () => {
    const warnings: string[] = [];
    const unreachable = new BlobRecordStore(
      new ContainerClient("http://127.0.0.1:1/devstoreaccount1/gone", undefined, { retryOptions: { maxTries: 1 } }),
      { logger: { ...silentLogger, warning: (message: string) => warnings.push(message) } },
    );
    expect(unreachable.containerName).toBe("gone");
    await expect(unreachable.ensureStore()).rejects.toMatchObject({
      code: "StoreUnavailable",
      message: expect.stringContaining('ensureStore failed on container "gone"'),
    });
    expect(warnings).toHaveLength(1);
    await expect(unreachable.storeExists({ abortSignal: AbortSignal.abort() })).rejects.toMatchObject({
      code: "Aborted",
    });
  });

  it("refuses anything but a ContainerClient, and scopes and host names blob names cannot hold", () => {
    expect(() => new BlobRecordStore({} as ContainerClient, { logger: silentLogger })).toThrow(
      expect.objectContaining({ code: "InvalidOption" }),
    );
    const s = store();
    const info = { ...scope, hostName: "h" };
    expect(() => s.setEventProcessorHost({ ...info, consumerGroup: "a/b" })).toThrow(
      expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("consumerGroup") }),
    );
    for (const hostName of ["\ud800", "h".repeat(2000)]) {
      expect(() => s.setEventProcessorHost({ ...info, hostName })).toThrow(
        expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("hostName") }),
      );
    }
  });
});
