import { TableClient } from "@azure/data-tables";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type AzuriteInstance, startAzurite } from "../src/index.js";

let azurite: AzuriteInstance;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.close();
});

it("serves blobs and tables on loopback ports chosen by the system", async () => {
  expect(azurite.blobEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
  const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
  const container = service.getContainerClient("probe");
  await container.create();
  await container.getBlockBlobClient("a").upload("x", 1);
  const names: string[] = [];
  for await (const b of container.listBlobsFlat()) names.push(b.name);
  expect(names).toEqual(["a"]);
  const table = TableClient.fromConnectionString(azurite.connectionString, "probe", { allowInsecureConnection: true });
  await table.createTable();
  await table.createEntity({ partitionKey: "p", rowKey: "r", v: 1 });
  expect((await table.getEntity("p", "r")).v).toBe(1);
});
