import { describeRecordStoreConformance } from "@eph/conformance";
import { MemoryRecordStore, MemoryRecords } from "../src/index.js";

class TestStore extends MemoryRecordStore {
  constructor() {
    super(10_000, "in-memory test store", "lease");
  }
}

describeRecordStoreConformance("MemoryRecords", async () => {
  const store = new TestStore();
  return {
    create: () => new MemoryRecords(store, undefined),
    writeCorruptRecord: async (key) => store.writeRaw(key.scope, key.id, "{not json"),
    deleteStoreOutOfBand: async () => store.drop(),
    teardown: async () => {},
  };
});
