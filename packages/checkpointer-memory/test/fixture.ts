import type { CheckpointerFixtureFactory } from "@eph/conformance";
import { MemoryCheckpointer, MemoryCheckpointStore } from "../src/index.js";

/** A fresh shared store per test; every host gets its own checkpointer on it. */
export const memoryCheckpointerFixture: CheckpointerFixtureFactory = async () => {
  const store = new MemoryCheckpointStore();
  return {
    create: () => new MemoryCheckpointer({ store }),
    writeCorruptRecord: async (info, partitionId) => store.writeRaw(info, partitionId, { fence: "high" }),
    deleteStoreOutOfBand: async () => store.drop(),
    teardown: async () => {},
  };
};
