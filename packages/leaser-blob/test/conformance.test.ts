import { ephFolders, recordBlobName, scopePrefix } from "@eph/blob-common";
import { describeLeaserConformance, type StoreFixture } from "@eph/conformance";
import type { Leaser } from "@eph/core";
import { type AzuriteInstance, blobQuickRetries, freshBlobContainer, startAzurite, type TestAuth } from "@eph/testing";
import { afterAll, beforeAll } from "vitest";
import { BlobLeaser } from "../src/index.js";

let azurite: AzuriteInstance;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.close();
});

async function fixture(auth: TestAuth): Promise<StoreFixture<Leaser>> {
  const { containerName, raw, connectionString, secrets } = freshBlobContainer(azurite.blobEndpoint, auth);
  return {
    create: () => BlobLeaser.fromConnectionString(connectionString, containerName, { clientOptions: blobQuickRetries }),
    async writeCorruptRecord(info, partitionId) {
      // The right name, metadata another tool might leave: an epoch that is not a number.
      const name = recordBlobName(`${scopePrefix(info)}${ephFolders.lease}/`, partitionId);
      await raw.getBlockBlobClient(name).upload("{}", 2, { metadata: { epoch: "x", owner: "%zz" } });
    },
    async writeCorruptHostRecord(info) {
      const name = recordBlobName(`${scopePrefix(info)}${ephFolders.host}/`, info.hostName);
      await raw.getBlockBlobClient(name).upload("{}", 2, { metadata: { beat: "x", instance: "%zz" } });
    },
    deleteStoreOutOfBand: async () => {
      await raw.delete();
    },
    teardown: async () => {
      await raw.deleteIfExists();
    },
    secrets,
  };
}

describeLeaserConformance("BlobLeaser (account key)", () => fixture("key"));
describeLeaserConformance("BlobLeaser (SAS)", () => fixture("sas"));
