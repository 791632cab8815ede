import { ContainerClient } from "@azure/storage-blob";
import { AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME, type AzuriteInstance, startAzurite } from "@eph/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  CallCounter,
  officialRoleOf,
  StorageFaults,
  type StorageProxy,
  startStorageProxy,
} from "../src/storage-proxy.js";

let azurite: AzuriteInstance;
let proxy: StorageProxy;
const counter = new CallCounter();
const faults = new StorageFaults();

beforeAll(async () => {
  azurite = await startAzurite();
  proxy = await startStorageProxy({
    target: azurite.blobEndpoint,
    service: "blob",
    role: officialRoleOf,
    counter,
    faults,
  });
}, 30_000);
afterAll(async () => {
  await proxy?.close();
  await azurite?.close();
});

function container(name: string): ContainerClient {
  const cs = `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${AZURITE_ACCOUNT_KEY};BlobEndpoint=${proxy.endpoint};`;
  return new ContainerClient(cs, name, { retryOptions: { maxTries: 1 } });
}

it("forwards signed requests and counts them by store and operation", async () => {
  counter.reset();
  const c = container("counted");
  await c.create();
  await c.getBlockBlobClient("ns/hub/$default/ownership/0").upload("", 0);
  await c.getBlockBlobClient("ns/hub/$default/ownership/0").setMetadata({ ownerid: "x" });
  await c.getBlockBlobClient("ns/hub/$default/checkpoint/0").upload("", 0);
  for await (const _ of c.listBlobsFlat({ prefix: "ns/hub/$default/ownership/" })) {
    // Only the call counts.
  }
  expect(counter.snapshot()).toEqual({
    "checkpoint.write": 1,
    "container.container": 1,
    "ownership.list": 1,
    "ownership.write": 2,
  });
  expect(counter.total("ownership.")).toBe(3);
});

it("answers 503 ServerBusy when told to, and forwards again once cleared", async () => {
  const c = container("faulty");
  await c.create();
  faults.errorRate = 1;
  await expect(c.getBlockBlobClient("b").upload("", 0)).rejects.toMatchObject({
    statusCode: 503,
    code: "ServerBusy",
  });
  faults.clear();
  await expect(c.getBlockBlobClient("b").upload("", 0)).resolves.toBeDefined();
  expect(faults.injected.errors).toBe(1);
});
