import { TableClient } from "@azure/data-tables";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  AZURITE_ACCOUNT_KEY,
  type AzuriteInstance,
  blobQuickRetries,
  countCalls,
  freshBlobContainer,
  freshTestTable,
  startAzurite,
  tableQuickRetries,
} from "../src/index.js";

let azurite: AzuriteInstance;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.close();
});

it("gives a fresh container reachable with the account key or a SAS, and names the secrets", async () => {
  for (const auth of ["key", "sas"] as const) {
    const { containerName, raw, connectionString, secrets } = freshBlobContainer(azurite.blobEndpoint, auth);
    await raw.create();
    const client = BlobServiceClient.fromConnectionString(connectionString, blobQuickRetries);
    await client.getContainerClient(containerName).getBlockBlobClient("b").upload("x", 1);
    expect((await raw.getBlockBlobClient("b").getProperties()).contentLength).toBe(1);
    expect(secrets).toContain(connectionString);
    expect(connectionString.includes(AZURITE_ACCOUNT_KEY)).toBe(auth === "key");
    expect(secrets[0]).toBe(
      auth === "key"
        ? AZURITE_ACCOUNT_KEY
        : new URLSearchParams(connectionString.split("SharedAccessSignature=")[1]).get("sig"),
    );
  }
});

it("gives a fresh table reachable with the account key or a SAS, and counts a client's calls", async () => {
  for (const auth of ["key", "sas"] as const) {
    const { tableName, raw, connectionString, secrets } = freshTestTable(azurite, auth);
    await raw.createTable();
    const client = TableClient.fromConnectionString(connectionString, tableName, {
      ...tableQuickRetries,
      allowInsecureConnection: true,
    });
    const calls = countCalls(client);
    await client.createEntity({ partitionKey: "p", rowKey: "r" });
    await client.getEntity("p", "r");
    expect(calls.byMethod).toEqual({ POST: 1, GET: 1 });
    expect(calls.total).toBe(2);
    calls.reset();
    expect(calls.total).toBe(0);
    expect(secrets).toHaveLength(2);
    expect(connectionString.includes(AZURITE_ACCOUNT_KEY)).toBe(auth === "key");
  }
});
