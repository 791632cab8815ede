import type { LeaserFixtureFactory } from "@eph/conformance";
import { MemoryLeaser, MemoryLeaseStore } from "../src/index.js";

/** A fresh shared store per test; every host gets its own leaser on it. */
export const memoryLeaserFixture: LeaserFixtureFactory = async () => {
  const store = new MemoryLeaseStore();
  return {
    create: () => new MemoryLeaser({ store }),
    writeCorruptRecord: async (info, partitionId) => store.writeRaw(info, partitionId, "{not json"),
    writeCorruptHostRecord: async (info) => store.writeRaw(info, info.hostName, "{not json", "host"),
    deleteStoreOutOfBand: async () => store.drop(),
    teardown: async () => {},
  };
};
