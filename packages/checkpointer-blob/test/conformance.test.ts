import { recordBlobName, scopePrefix } from "@eph/blob-common";
import { describeCheckpointerConformance, type StoreFixture } from "@eph/conformance";
import type { Checkpointer } from "@eph/core";
import { type AzuriteInstance, blobQuickRetries, freshBlobContainer, startAzurite, type TestAuth } from "@eph/testing";
import { afterAll, beforeAll } from "vitest";
import { BlobCheckpointer, type CheckpointLayout } from "../src/index.js";

let azurite: AzuriteInstance;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.close();
});

async function fixture(auth: TestAuth, layout: CheckpointLayout): Promise<StoreFixture<Checkpointer>> {
  const { containerName, raw, connectionString, secrets } = freshBlobContainer(azurite.blobEndpoint, auth);
  return {
    create: () =>
      BlobCheckpointer.fromConnectionString(connectionString, containerName, {
        clientOptions: blobQuickRetries,
        layout,
      }),
    async writeCorruptRecord(info, partitionId) {
      // The right name, metadata another tool might leave: numbers that are not numbers.
      const name = recordBlobName(`${scopePrefix(info)}checkpoint/`, partitionId);
      await raw.getBlockBlobClient(name).upload("{}", 2, {
        metadata: { fence: "x", ephfence: "x", sequencenumber: "ten", offset: "" },
      });
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

describeCheckpointerConformance("BlobCheckpointer (eph layout, account key)", () => fixture("key", "eph"));
describeCheckpointerConformance("BlobCheckpointer (eph layout, SAS)", () => fixture("sas", "eph"));
describeCheckpointerConformance("BlobCheckpointer (checkpointstore-blob layout, account key)", () =>
  fixture("key", "checkpointstore-blob"),
);
