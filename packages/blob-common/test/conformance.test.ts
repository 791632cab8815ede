import { describeRecordStoreConformance } from "@eph/conformance";
import { silentLogger } from "@eph/core";
import { type AzuriteInstance, blobQuickRetries, freshBlobContainer, startAzurite } from "@eph/testing";
import { afterAll, beforeAll } from "vitest";
import {
  BlobRecordStore,
  containerClientFromConnectionString,
  ephFolders,
  recordBlobName,
  scopePrefix,
} from "../src/index.js";

let azurite: AzuriteInstance;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.close();
});

describeRecordStoreConformance(
  "BlobRecordStore",
  async () => {
    const { containerName, raw, connectionString, secrets } = freshBlobContainer(azurite.blobEndpoint, "sas");
    return {
      create: () =>
        new BlobRecordStore(
          containerClientFromConnectionString(connectionString, containerName, { clientOptions: blobQuickRetries }),
          { logger: silentLogger },
        ),
      async writeCorruptRecord(key) {
        // The right name, metadata another tool might leave: a value that is not percent-encoding.
        const name = recordBlobName(`${scopePrefix(key.scope)}${ephFolders[key.kind]}/`, key.id);
        await raw.getBlockBlobClient(name).upload("{}", 2, { metadata: { owner: "%zz" } });
      },
      deleteStoreOutOfBand: async () => {
        await raw.delete();
      },
      teardown: async () => {
        await raw.deleteIfExists();
      },
      secrets,
    };
  },
  { timeout: 20_000 },
);
