import { describe, expect, it } from "vitest";
import { MemoryRecordStore, recordTableOf } from "../src/index.js";

class TestStore extends MemoryRecordStore {
  constructor(maxRecords = 5) {
    super(maxRecords, "in-memory test store");
  }
}

const scope = { fullyQualifiedNamespace: "ns", eventHubName: "hub", consumerGroup: "$Default" };

describe("MemoryRecordStore", () => {
  it("refuses a maxRecords that is not a positive integer", () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new TestStore(bad)).toThrow(
        expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("maxRecords") }),
      );
    }
  });

  it("exposes size and existence, and lets tests write and read raw records", () => {
    const store = new TestStore(5);
    expect(store.maxRecords).toBe(5);
    expect(store.exists).toBe(false);
    expect(() => store.writeRaw(scope, "0", "x")).toThrow(expect.objectContaining({ code: "StoreNotFound" }));
    recordTableOf(store).create();
    store.writeRaw(scope, "0", "{not json");
    expect(store.readRaw(scope, "0")).toBe("{not json");
    expect(store.readRaw({ ...scope, eventHubName: "other" }, "0")).toBeUndefined();
    expect(store.size).toBe(1);
    store.drop();
    expect(store.exists).toBe(false);
  });

  it("gives each store its own table", () => {
    const a = new TestStore();
    const b = new TestStore();
    recordTableOf(a).create();
    expect(b.exists).toBe(false);
    expect(() => recordTableOf({} as MemoryRecordStore)).toThrow(expect.objectContaining({ code: "InvalidOption" }));
  });
});
