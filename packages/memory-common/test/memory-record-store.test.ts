import { EphError } from "@eph/core";
import { describe, expect, it } from "vitest";
import { MemoryRecordStore, MemoryRecords, type MemoryStoreInterceptor, nextMicrotask } from "../src/index.js";

class TestStore extends MemoryRecordStore {
  constructor(maxRecords = 5) {
    super(maxRecords, "in-memory test store", "lease");
  }
}

const scope = { fullyQualifiedNamespace: "ns", eventHubName: "hub", consumerGroup: "$Default" };
const key = (id: string) => ({ scope, kind: "lease", id }) as const;

async function ensured(store: MemoryRecordStore, interceptor?: MemoryStoreInterceptor): Promise<MemoryRecords> {
  const records = new MemoryRecords(store, interceptor);
  await records.ensureStore();
  return records;
}

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
    await ensured(store);
    store.writeRaw(scope, "0", "{not json");
    expect(store.readRaw(scope, "0")).toBe("{not json");
    expect(store.readRaw({ ...scope, eventHubName: "other" }, "0")).toBeUndefined();
    expect(store.size).toBe(1);
    store.drop();
    expect(store.exists).toBe(false);
    expect(store.size).toBe(0);
  });

  it("refuses to create a record beyond maxRecords, naming the limit and the record", async () => {
    const records = await ensured(new TestStore(2));
    await records.create(key("0"), {});
    await records.create(key("1"), {});
    await expect(records.create(key("2"), {})).rejects.toMatchObject({
      code: "InvalidOption",
      message: expect.stringMatching(/partition "2".*maxRecords is 2/),
    });
    await records.delete(key("0"));
    expect(await records.create(key("2"), {})).toMatchObject({ status: "written" });
  });

  it("gives each store its own records, and refuses anything else as a store", async () => {
    const a = new TestStore();
    await ensured(a);
    expect(new TestStore().exists).toBe(false);
    expect(() => new MemoryRecords({} as MemoryRecordStore, undefined)).toThrow(
      expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("options.store") }),
    );
  });

  it.each([42, "fast", {}])("refuses interceptor %s with InvalidOption naming the option", (interceptor) => {
    expect(() => new MemoryRecords(new TestStore(), interceptor as unknown as MemoryStoreInterceptor)).toThrow(
      expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("options.interceptor") }),
    );
  });
});

describe("MemoryRecords interception", () => {
  it("applies each operation on a later microtask by default", async () => {
    const records = await ensured(new TestStore(), nextMicrotask);
    let settled = false;
    const pending = records.create(key("0"), { a: "1" }).then(() => {
      settled = true;
    });
    expect(settled).toBe(false);
    await pending;
    expect(settled).toBe(true);
  });

  it("reports what an interceptor throws as StoreUnavailable naming the store, operation and partition", async () => {
    const store = new TestStore();
    await ensured(store);
    const failing: MemoryStoreInterceptor = async () => {
      throw new Error("injected");
    };
    const error = await new MemoryRecords(store, failing).replace(key("3"), {}, "1").catch((e) => e);
    expect(error).toBeInstanceOf(EphError);
    expect(error).toMatchObject({
      code: "StoreUnavailable",
      message: "replace failed on the in-memory test store: injected",
      partitionId: "3",
      cause: expect.objectContaining({ message: "injected" }),
    });
  });

  it("passes EphErrors through and answers Aborted, without effect, once the caller's signal fired", async () => {
    const store = new TestStore();
    const fenced = new EphError("CheckpointFenced", "fenced");
    const throwing: MemoryStoreInterceptor = async () => {
      throw fenced;
    };
    await expect(new MemoryRecords(store, throwing).ensureStore()).rejects.toBe(fenced);
    const controller = new AbortController();
    const late: MemoryStoreInterceptor = async (_call, apply) => {
      controller.abort();
      return apply();
    };
    await expect(new MemoryRecords(store, late).ensureStore({ abortSignal: controller.signal })).rejects.toMatchObject({
      code: "Aborted",
    });
    expect(store.exists).toBe(false);
  });
});
