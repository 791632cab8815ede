import { describe, expect, it } from "vitest";
import { MemoryRecordStore, MemoryRecords, recordTableOf } from "../src/index.js";

class TestStore extends MemoryRecordStore {
  constructor(maxRecords = 5) {
    super(maxRecords, "in-memory test store", "lease");
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

  it("exposes size and existence, and lets tests write and read raw records", async () => {
    const store = new TestStore(5);
    expect(store.maxRecords).toBe(5);
    expect(store.exists).toBe(false);
    expect(() => store.writeRaw(scope, "0", "x")).toThrow(expect.objectContaining({ code: "StoreNotFound" }));
    await new MemoryRecords(recordTableOf(store), undefined).ensureStore();
    store.writeRaw(scope, "0", "{not json");
    expect(store.readRaw(scope, "0")).toBe("{not json");
    expect(store.readRaw({ ...scope, eventHubName: "other" }, "0")).toBeUndefined();
    expect(store.size).toBe(1);
    store.drop();
    expect(store.exists).toBe(false);
  });

  it("refuses to create a record beyond maxRecords, naming the limit and the record", async () => {
    const records = new MemoryRecords(recordTableOf(new TestStore(2)), undefined);
    await records.ensureStore();
    const key = (id: string) => ({ scope, kind: "lease", id }) as const;
    await records.create(key("0"), {});
    await records.create(key("1"), {});
    await expect(records.create(key("2"), {})).rejects.toMatchObject({
      code: "InvalidOption",
      message: expect.stringMatching(/partition "2".*maxRecords is 2/),
    });
    await records.delete(key("0"));
    expect(await records.create(key("2"), {})).toMatchObject({ status: "written" });
  });

  it("gives each store its own table, and refuses anything else as a store", () => {
    const a = new TestStore();
    const b = new TestStore();
    recordTableOf(a).present = true;
    expect(b.exists).toBe(false);
    expect(() => recordTableOf({})).toThrow(expect.objectContaining({ code: "InvalidOption" }));
  });

  it.each([42, "fast", {}])("refuses interceptor %s with InvalidOption naming the option", (interceptor) => {
    expect(() => new MemoryRecords(recordTableOf(new TestStore()), interceptor)).toThrow(
      expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("options.interceptor") }),
    );
  });
});
