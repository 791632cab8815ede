import { describeRecordStoreConformance, type RecordStoreFixtureFactory } from "@eph/conformance";
import { MemoryRecordStore, MemoryRecords, recordTableOf } from "../src/index.js";

class TestStore extends MemoryRecordStore {
  constructor() {
    super(10_000, "in-memory test store", "lease");
  }
}

function fixture(batches: boolean): RecordStoreFixtureFactory {
  return async () => {
    const store = new TestStore();
    return {
      create: () => new MemoryRecords(recordTableOf(store), undefined, batches),
      writeCorruptRecord: async (key) => store.writeRaw(key.scope, key.id, "{not json"),
      deleteStoreOutOfBand: async () => store.drop(),
      teardown: async () => {},
    };
  };
}

describeRecordStoreConformance("MemoryRecords", fixture(false));
describeRecordStoreConformance("MemoryRecords with batches", fixture(true));
