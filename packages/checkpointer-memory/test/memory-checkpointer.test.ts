import { type Checkpoint, EphError, type HostInfo } from "@eph/core";
import { describe, expect, it } from "vitest";
import {
  MemoryCheckpointer,
  MemoryCheckpointStore,
  type MemoryStoreCall,
  type MemoryStoreInterceptor,
} from "../src/index.js";

const scope = { fullyQualifiedNamespace: "ns.servicebus.windows.net", eventHubName: "hub", consumerGroup: "$Default" };

function info(hostName: string, overrides: Partial<HostInfo> = {}): HostInfo {
  return { hostName, ...scope, ...overrides };
}

function checkpointer(
  hostName: string,
  store: MemoryCheckpointStore,
  interceptor?: MemoryStoreInterceptor,
): MemoryCheckpointer {
  const c = new MemoryCheckpointer(interceptor ? { store, interceptor } : { store });
  c.setEventProcessorHost(info(hostName));
  return c;
}

function position(sequenceNumber: number): Checkpoint {
  return {
    offset: String(sequenceNumber * 10),
    sequenceNumber,
    enqueuedTime: new Date(1_700_000_000_000 + sequenceNumber),
  };
}

async function rejection(promise: Promise<unknown>): Promise<EphError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof EphError) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

describe("MemoryCheckpointStore", () => {
  it("is shared by the checkpointers given it; one created without a store gets a private one", async () => {
    const store = new MemoryCheckpointStore();
    const a = checkpointer("host-a", store);
    await a.ensureStore();
    await a.updateCheckpoint("0", position(3), { epoch: 1 });
    expect((await checkpointer("host-b", store).getCheckpoint("0"))?.sequenceNumber).toBe(3);
    const alone = new MemoryCheckpointer();
    alone.setEventProcessorHost(info("host-c"));
    expect(await alone.storeExists()).toBe(false);
  });

  it("rejects creating a record beyond maxRecords with InvalidOption naming the limit", async () => {
    const store = new MemoryCheckpointStore({ maxRecords: 2 });
    const a = checkpointer("host-a", store);
    await a.ensureStore();
    await a.ensureCheckpoint("0");
    await a.updateCheckpoint("1", position(1), { epoch: 1 });
    const error = await rejection(a.ensureCheckpoint("2"));
    expect(error.code).toBe("InvalidOption");
    expect(error.message).toContain("maxRecords is 2");
    expect((await rejection(a.updateCheckpoint("2", position(1), { epoch: 1 }))).code).toBe("InvalidOption");
    // Writing existing records still works.
    await a.updateCheckpoint("1", position(2), { epoch: 1 });
    expect(store.size).toBe(2);
  });

  it.each([0, -3, 2.5])("rejects maxRecords %s", (maxRecords) => {
    expect(() => new MemoryCheckpointStore({ maxRecords })).toThrow(/maxRecords must be a positive integer/);
  });

  it("holds the fence and the position, and nothing else", async () => {
    const store = new MemoryCheckpointStore();
    const a = checkpointer("host-a", store);
    await a.ensureStore();
    await a.ensureCheckpoint("0", { epoch: 4 });
    expect(store.readRaw(scope, "0")).toEqual({ format: "1", fence: "4" });
    await a.updateCheckpoint("0", position(2), { epoch: 4 });
    expect(store.readRaw(scope, "0")).toEqual({
      format: "1",
      fence: "4",
      offset: "20",
      sequencenumber: "2",
      enqueuedtime: "1700000000002",
    });
  });

  it("drop() removes everything; checkpointers then get StoreNotFound", async () => {
    const store = new MemoryCheckpointStore();
    const a = checkpointer("host-a", store);
    await a.ensureStore();
    await a.updateCheckpoint("0", position(1), { epoch: 1 });
    store.drop();
    expect(store.size).toBe(0);
    expect((await rejection(a.getCheckpoint("0"))).code).toBe("StoreNotFound");
  });
});

describe("MemoryCheckpointer", () => {
  it("creates the record on the first update when ensureCheckpoint was never called", async () => {
    const store = new MemoryCheckpointStore();
    const a = checkpointer("host-a", store);
    await a.ensureStore();
    await a.updateCheckpoint("0", position(8), { epoch: 2 });
    expect(store.readRaw(scope, "0")).toMatchObject({ fence: "2", sequencenumber: "8" });
    expect((await rejection(a.updateCheckpoint("0", position(9), { epoch: 1 }))).code).toBe("CheckpointFenced");
  });

  it("names the epochs in a fenced refusal and the sequence numbers in a regression", async () => {
    const a = checkpointer("host-a", new MemoryCheckpointStore());
    await a.ensureStore();
    await a.ensureCheckpoint("3", { epoch: 7 });
    await a.updateCheckpoint("3", position(40), { epoch: 7 });
    const fenced = await rejection(a.updateCheckpoint("3", position(41), { epoch: 6 }));
    expect(fenced.message).toContain("epoch 6");
    expect(fenced.message).toContain("epoch 7");
    expect(fenced.partitionId).toBe("3");
    const regressed = await rejection(a.updateCheckpoint("3", position(39), { epoch: 7 }));
    expect(regressed.code).toBe("CheckpointRegressed");
    expect(regressed.message).toContain("39");
    expect(regressed.message).toContain("40");
  });

  it.each([
    ["offset", { ...position(1), offset: 5 }, "checkpoint.offset"],
    ["sequenceNumber", { ...position(1), sequenceNumber: -1 }, "checkpoint.sequenceNumber"],
    ["sequenceNumber", { ...position(1), sequenceNumber: 1.5 }, "checkpoint.sequenceNumber"],
    ["enqueuedTime", { ...position(1), enqueuedTime: new Date(Number.NaN) }, "checkpoint.enqueuedTime"],
    ["enqueuedTime", { ...position(1), enqueuedTime: 5 }, "checkpoint.enqueuedTime"],
  ])("rejects a checkpoint with a bad %s, naming it", async (_field, bad, named) => {
    const a = checkpointer("host-a", new MemoryCheckpointStore());
    await a.ensureStore();
    const error = await rejection(a.updateCheckpoint("0", bad as unknown as Checkpoint, { epoch: 1 }));
    expect(error.code).toBe("InvalidOption");
    expect(error.message).toContain(named);
  });

  it.each([-1, 0.5, Number.NaN, undefined])("rejects epoch %s, naming the option", async (epoch) => {
    const a = checkpointer("host-a", new MemoryCheckpointStore());
    await a.ensureStore();
    const update = await rejection(a.updateCheckpoint("0", position(1), { epoch: epoch as number }));
    expect(update.code).toBe("InvalidOption");
    expect(update.message).toContain("options.epoch");
    if (epoch !== undefined) {
      expect((await rejection(a.ensureCheckpoint("0", { epoch }))).message).toContain("options.epoch");
    }
  });

  it("writes once when its cached record is current: one store operation per update", async () => {
    const calls: MemoryStoreCall[] = [];
    const counting: MemoryStoreInterceptor = async (call, apply) => {
      calls.push(call);
      return apply();
    };
    const a = checkpointer("host-a", new MemoryCheckpointStore(), counting);
    await a.ensureStore();
    await a.ensureCheckpoint("0", { epoch: 1 });
    calls.length = 0;
    for (let seq = 1; seq <= 5; seq++) await a.updateCheckpoint("0", position(seq), { epoch: 1 });
    expect(calls.map((c) => c.operation)).toEqual(Array(5).fill("replace"));
  });

  it("re-reads after losing a race and then writes", async () => {
    const store = new MemoryCheckpointStore();
    const calls: string[] = [];
    const counting: MemoryStoreInterceptor = async (call, apply) => {
      calls.push(call.operation);
      return apply();
    };
    const a = checkpointer("host-a", store, counting);
    const b = checkpointer("host-b", store);
    await a.ensureStore();
    await a.ensureCheckpoint("0", { epoch: 1 });
    await b.updateCheckpoint("0", position(5), { epoch: 1 });
    calls.length = 0;
    await a.updateCheckpoint("0", position(6), { epoch: 1 });
    expect(calls).toEqual(["replace", "read", "replace"]);
    expect((await b.getCheckpoint("0"))?.sequenceNumber).toBe(6);
  });

  it("gives up with StoreUnavailable after losing 16 races in a row", async () => {
    const store = new MemoryCheckpointStore();
    let bumps = 0;
    // Another writer changes the record just before each of this host's conditional writes.
    const contended: MemoryStoreInterceptor = async (call, apply) => {
      if (call.operation === "replace" || call.operation === "insert") {
        bumps += 1;
        store.writeRaw(scope, "0", { format: "1", fence: "1" });
      }
      return apply();
    };
    const a = checkpointer("host-a", store, contended);
    await a.ensureStore();
    const error = await rejection(a.updateCheckpoint("0", position(1), { epoch: 1 }));
    expect(error.code).toBe("StoreUnavailable");
    expect(error.message).toContain("16");
    expect(bumps).toBe(16);
  });

  it("turns a thrown fault into StoreUnavailable with the fault as cause", async () => {
    const fault = new Error("socket hang up");
    const faulty: MemoryStoreInterceptor = async (call, apply) => {
      if (call.operation === "read") throw fault;
      return apply();
    };
    const a = checkpointer("host-a", new MemoryCheckpointStore(), faulty);
    await a.ensureStore();
    const error = await rejection(a.getCheckpoint("0"));
    expect(error.code).toBe("StoreUnavailable");
    expect(error.cause).toBe(fault);
  });

  it("rejects an empty partition id and a HostInfo with an empty field, naming them", async () => {
    const a = checkpointer("host-a", new MemoryCheckpointStore());
    await a.ensureStore();
    expect((await rejection(a.getCheckpoint(""))).message).toContain("partitionId");
    expect(() => a.setEventProcessorHost({ ...info("host-a"), consumerGroup: "" })).toThrow("HostInfo.consumerGroup");
  });

  it("forgets its cached records when pointed at another hub", async () => {
    const store = new MemoryCheckpointStore();
    const a = checkpointer("host-a", store);
    await a.ensureStore();
    await a.updateCheckpoint("0", position(10), { epoch: 1 });
    a.setEventProcessorHost(info("host-a", { eventHubName: "other" }));
    await a.updateCheckpoint("0", position(1), { epoch: 1 });
    expect((await a.getCheckpoint("0"))?.sequenceNumber).toBe(1);
    expect(store.size).toBe(2);
  });
});
