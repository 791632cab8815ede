// The conformance suites under node:test instead of vitest: `pnpm --filter @eph/leaser-memory test:node`.
import { describe, it } from "node:test";
import { leaserSuite, recordStoreSuite } from "@eph/conformance/suites";
import { MemoryRecords } from "@eph/memory-common";
import { MemoryLeaser, MemoryLeaseStore } from "../../dist/esm/index.js";

leaserSuite({ describe, it }, "MemoryLeaser under node:test", async () => {
  const store = new MemoryLeaseStore();
  return {
    create: () => new MemoryLeaser({ store }),
    writeCorruptRecord: async (info, partitionId) => store.writeRaw(info, partitionId, "{not json"),
    deleteStoreOutOfBand: async () => store.drop(),
    teardown: async () => {},
  };
});

recordStoreSuite({ describe, it }, "MemoryRecords under node:test", async () => {
  const store = new MemoryLeaseStore();
  return {
    create: () => new MemoryRecords(store, undefined),
    deleteStoreOutOfBand: async () => store.drop(),
    teardown: async () => {},
  };
});
