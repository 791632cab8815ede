import { scopePrefix } from "@eph/blob-common";
import { describeDeadLetterStoreConformance } from "@eph/conformance";
import { type AzuriteInstance, blobQuickRetries, freshBlobContainer, startAzurite, type TestAuth } from "@eph/testing";
import { afterAll, beforeAll } from "vitest";
import { BlobDeadLetterStore } from "../src/index.js";

let azurite: AzuriteInstance;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.close();
});

const scope = {
  fullyQualifiedNamespace: "conformance.servicebus.windows.net",
  eventHubName: "orders",
  consumerGroup: "$Default",
};

for (const auth of ["key", "sas"] as TestAuth[]) {
  describeDeadLetterStoreConformance(`BlobDeadLetterStore (${auth})`, async () => {
    const { containerName, raw, connectionString, secrets } = freshBlobContainer(azurite.blobEndpoint, auth);
    return {
      create: () =>
        BlobDeadLetterStore.fromConnectionString(connectionString, containerName, { clientOptions: blobQuickRetries }),
      async writeCorruptDocument(partitionId, sequenceNumber) {
        // The blob keeps its metadata (the listing still shows it); its content is no dead letter.
        const name = `${scopePrefix(scope)}deadletter/${partitionId}/${String(sequenceNumber).padStart(19, "0")}`;
        const blob = raw.getBlockBlobClient(name);
        const { metadata } = await blob.getProperties();
        await blob.upload("{ not json", 10, { metadata });
      },
      teardown: async () => {
        await raw.deleteIfExists();
      },
      secrets,
    };
  });
}
