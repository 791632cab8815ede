import { describeDeadLetterStoreConformance } from "@eph/conformance";
import { MemoryDeadLetterDocuments, MemoryDeadLetterStore } from "../src/index.js";

describeDeadLetterStoreConformance("MemoryDeadLetterStore", async () => {
  const documents = new MemoryDeadLetterDocuments();
  return {
    create: () => new MemoryDeadLetterStore({ store: documents }),
    teardown: async () => undefined,
    async writeCorruptDocument(partitionId, sequenceNumber) {
      const scope = {
        fullyQualifiedNamespace: "conformance.servicebus.windows.net",
        eventHubName: "orders",
        consumerGroup: "$Default",
      };
      const key = { scope, partitionId, sequenceNumber };
      const stored = await documents.get(key);
      await documents.put(key, { fields: stored?.fields ?? {}, document: "{ not json" });
    },
  };
});
