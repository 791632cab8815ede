import { EphError, type HostInfo, type LeaseMarker } from "@eph/core";
import { describe, expect, it } from "vitest";
import { MemoryLeaser, MemoryLeaseStore, type MemoryStoreCall, type MemoryStoreInterceptor } from "../src/index.js";

const scope = { fullyQualifiedNamespace: "ns.servicebus.windows.net", eventHubName: "hub", consumerGroup: "$Default" };

function info(hostName: string, overrides: Partial<HostInfo> = {}): HostInfo {
  return { hostName, ...scope, ...overrides };
}

function leaser(hostName: string, store: MemoryLeaseStore, interceptor?: MemoryStoreInterceptor): MemoryLeaser {
  const l = new MemoryLeaser(interceptor ? { store, interceptor } : { store });
  l.setEventProcessorHost(info(hostName));
  return l;
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

describe("MemoryLeaseStore", () => {
  it("is shared: a lease one host's leaser takes is seen as taken by another's", async () => {
    const store = new MemoryLeaseStore();
    const a = leaser("host-a", store);
    const b = leaser("host-b", store);
    await a.ensureStore();
    await a.ensureLease("0");
    await a.acquireLease("0");
    expect(await b.getLeases()).toMatchObject([{ partitionId: "0", owner: "host-a", epoch: 1 }]);
    expect(store.size).toBe(1);
  });

  // Event Hubs names are case-insensitive; the blob, table and PostgreSQL stores folded them and this one did not.
  it("is one scope for names that differ only in case, as in the other stores", async () => {
    const store = new MemoryLeaseStore();
    const a = leaser("host-a", store);
    const b = new MemoryLeaser({ store });
    b.setEventProcessorHost(info("host-b", { eventHubName: "HUB", consumerGroup: "$default" }));
    await a.ensureStore();
    await a.ensureLease("0");
    await a.acquireLease("0");
    expect(await b.getLeases()).toMatchObject([{ partitionId: "0", owner: "host-a", epoch: 1 }]);
  });

  it("gives each leaser created without a store a private one", async () => {
    const a = new MemoryLeaser();
    const b = new MemoryLeaser();
    a.setEventProcessorHost(info("host-a"));
    b.setEventProcessorHost(info("host-b"));
    await a.ensureStore();
    await a.ensureLease("0");
    expect(a.store).not.toBe(b.store);
    expect(await b.storeExists()).toBe(false);
  });

  it("does not exist until a leaser ensures it, like a real container", async () => {
    const store = new MemoryLeaseStore();
    const a = leaser("host-a", store);
    expect(store.exists).toBe(false);
    expect((await rejection(a.ensureLease("0"))).code).toBe("StoreNotFound");
    await a.ensureStore();
    expect(store.exists).toBe(true);
  });

  it("rejects creating a record beyond maxRecords with InvalidOption naming the limit", async () => {
    const store = new MemoryLeaseStore({ maxRecords: 3 });
    const a = leaser("host-a", store);
    await a.ensureStore();
    for (const pid of ["0", "1", "2"]) await a.ensureLease(pid);
    const error = await rejection(a.ensureLease("3"));
    expect(error.code).toBe("InvalidOption");
    expect(error.message).toContain("maxRecords is 3");
    expect(error.message).toContain('partition "3"');
    // Existing records can still be read and written, and deleting one makes room.
    await a.acquireLease("2");
    await a.deleteLease("0");
    await a.ensureLease("3");
    expect(store.size).toBe(3);
  });

  it("counts records of every hub and consumer group against maxRecords", async () => {
    const store = new MemoryLeaseStore({ maxRecords: 2 });
    const a = leaser("host-a", store);
    const other = new MemoryLeaser({ store });
    other.setEventProcessorHost(info("host-b", { eventHubName: "other" }));
    await a.ensureStore();
    await a.ensureLease("0");
    await other.ensureLease("0");
    expect((await rejection(other.ensureLease("1"))).code).toBe("InvalidOption");
  });

  it.each([0, -1, 1.5, Number.NaN])("rejects maxRecords %s", (maxRecords) => {
    expect(() => new MemoryLeaseStore({ maxRecords })).toThrow(/maxRecords must be a positive integer/);
  });

  it("drop() deletes every record of every scope and deleteStore through a leaser does the same", async () => {
    const store = new MemoryLeaseStore();
    const a = leaser("host-a", store);
    await a.ensureStore();
    await a.ensureLease("0");
    store.drop();
    expect(store.exists).toBe(false);
    expect(store.size).toBe(0);
    await a.ensureStore();
    await a.ensureLease("1");
    await a.deleteStore();
    expect(store.size).toBe(0);
    expect(store.exists).toBe(false);
  });

  it("writeRaw stores any value unvalidated and readRaw returns it", async () => {
    const store = new MemoryLeaseStore();
    const a = leaser("host-a", store);
    await a.ensureStore();
    store.writeRaw(scope, "4", { format: "1", epoch: "-1", owner: "x" });
    expect(store.readRaw(scope, "4")).toEqual({ format: "1", epoch: "-1", owner: "x" });
    const error = await rejection(a.acquireLease("4"));
    expect(error.code).toBe("CorruptRecord");
    expect(error.message).toContain('epoch "-1" is not a non-negative integer');
    expect(error.partitionId).toBe("4");
  });

  it("stores no secret and nothing but the format, epoch and owner", async () => {
    const store = new MemoryLeaseStore();
    const a = leaser("host-a", store);
    await a.ensureStore();
    await a.ensureLease("0");
    await a.acquireLease("0");
    expect(store.readRaw(scope, "0")).toEqual({ format: "1", epoch: "1", owner: "host-a" });
  });
});

describe("MemoryLeaser", () => {
  it("lists leases in numeric partition order", async () => {
    const a = leaser("host-a", new MemoryLeaseStore());
    await a.ensureStore();
    for (const pid of ["10", "2", "1", "0", "11"]) await a.ensureLease(pid);
    expect((await a.getLeases()).map((l) => l.partitionId)).toEqual(["0", "1", "2", "10", "11"]);
  });

  it("reports skipped corrupt records to its logger", async () => {
    const store = new MemoryLeaseStore();
    const warnings: string[] = [];
    const logger = {
      error() {},
      info() {},
      verbose() {},
      warning: (...args: unknown[]) => warnings.push(args.join(" ")),
    };
    const a = new MemoryLeaser({ store, logger });
    a.setEventProcessorHost(info("host-a"));
    await a.ensureStore();
    store.writeRaw(scope, "7", { format: "1", epoch: "many", owner: "" });
    expect(await a.getLeases()).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('partition "7"');
  });

  it.each(["hostName", "fullyQualifiedNamespace", "eventHubName", "consumerGroup"] as const)(
    "rejects a HostInfo with an empty %s, naming it",
    (field) => {
      const a = new MemoryLeaser();
      expect(() => a.setEventProcessorHost({ ...info("host-a"), [field]: "" })).toThrow(`HostInfo.${field}`);
    },
  );

  it("rejects an empty partition id with InvalidOption", async () => {
    const a = leaser("host-a", new MemoryLeaseStore());
    await a.ensureStore();
    const error = await rejection(a.ensureLease(""));
    expect(error.code).toBe("InvalidOption");
    expect(error.message).toContain("partitionId");
  });

  it("forgets its holds when pointed at another hub, so it cannot renew a lease of the old one", async () => {
    const store = new MemoryLeaseStore();
    const a = leaser("host-a", store);
    await a.ensureStore();
    await a.ensureLease("0");
    await a.acquireLease("0");
    a.setEventProcessorHost(info("host-a", { eventHubName: "other" }));
    expect((await rejection(a.renewLease("0"))).code).toBe("LeaseLost");
  });

  it("releases a lease whose renewal landed first: the lease ends unowned, not held until it expires", async () => {
    const store = new MemoryLeaseStore();
    const a = leaser("host-a", store);
    await a.ensureStore();
    await a.ensureLease("0");
    await a.acquireLease("0");
    // Both are conditional on the same version: the renewal lands first, the release's condition fails,
    // and the release sees the lease still ours at the same epoch and releases it at the new version.
    const [renewed, released] = await Promise.allSettled([a.renewLease("0"), a.releaseLease("0")]);
    expect(renewed.status).toBe("fulfilled");
    expect(released.status).toBe("fulfilled");
    expect(await leaser("observer", store).getLeases()).toMatchObject([{ owner: "", epoch: 1 }]);
    expect((await rejection(a.renewLease("0"))).code).toBe("LeaseLost");
  });

  it("answers on a later microtask, so callers interleave between a read and the write after it", async () => {
    const store = new MemoryLeaseStore();
    const a = leaser("host-a", store);
    await a.ensureStore();
    await a.ensureLease("0");
    let settled = false;
    const pending = a.getLeases().then(() => {
      settled = true;
    });
    expect(settled).toBe(false);
    await pending;
    expect(settled).toBe(true);
  });
});

describe("MemoryLeaser interceptor", () => {
  it("sees every atomic operation with the host and partition", async () => {
    const calls: MemoryStoreCall[] = [];
    const record: MemoryStoreInterceptor = async (call, apply) => {
      calls.push(call);
      return apply();
    };
    const a = leaser("host-a", new MemoryLeaseStore(), record);
    await a.ensureStore();
    await a.ensureLease("0");
    await a.acquireLease("0");
    await a.renewLease("0");
    expect(calls.map((c) => `${c.operation}:${c.hostName}:${c.partitionId ?? ""}`)).toEqual([
      "ensureStore:host-a:",
      "insert:host-a:0",
      "read:host-a:0",
      "replace:host-a:0",
      "replace:host-a:0",
    ]);
  });

  it("turns a thrown fault into StoreUnavailable with the fault as cause, and the write does not happen", async () => {
    const store = new MemoryLeaseStore();
    const fault = new Error("connection reset");
    let failReplace = true;
    const faulty: MemoryStoreInterceptor = async (call, apply) => {
      if (call.operation === "replace" && failReplace) throw fault;
      return apply();
    };
    const a = leaser("host-a", store, faulty);
    await a.ensureStore();
    await a.ensureLease("0");
    const error = await rejection(a.acquireLease("0"));
    expect(error.code).toBe("StoreUnavailable");
    expect(error.cause).toBe(fault);
    expect(error.partitionId).toBe("0");
    failReplace = false;
    expect(await a.getLeases()).toMatchObject([{ owner: "", epoch: 0 }]);
  });

  it("recovers a write whose response was lost: it reads the lease back, finds it its own, and holds it", async () => {
    const store = new MemoryLeaseStore();
    const lostResponse: MemoryStoreInterceptor = async (call, apply) => {
      const result = apply();
      if (call.operation === "replace") throw new EphError("StoreUnavailable", "response lost");
      return result;
    };
    const a = leaser("host-a", store, lostResponse);
    const observer = leaser("observer", store);
    await a.ensureStore();
    await a.ensureLease("0");
    const acquired = await a.acquireLease("0");
    const [lease] = (await observer.getLeases()) as [LeaseMarker];
    expect(lease).toMatchObject({ owner: "host-a", epoch: 1, version: acquired.version });
    // The leaser learned the version from the read, so it holds the lease: the renewal lands (and its
    // own lost answer is recovered the same way).
    expect(await a.renewLease("0")).toMatchObject({ owner: "host-a", epoch: 1 });
    expect((await observer.getLeases())[0]?.version).not.toBe(acquired.version);
  });

  it("lets a test hold an operation: a write held back loses to one that landed meanwhile", async () => {
    const store = new MemoryLeaseStore();
    const gates: Array<() => void> = [];
    const gated: MemoryStoreInterceptor = async (call, apply) => {
      if (call.operation === "replace") await new Promise<void>((resolve) => gates.push(resolve));
      return apply();
    };
    const slow = leaser("slow", store, gated);
    const fast = leaser("fast", store);
    await fast.ensureStore();
    await fast.ensureLease("0");
    const slowAcquire = slow.acquireLease("0");
    while (gates.length === 0) await Promise.resolve();
    // The slow host has read the lease and its write is held; the fast host takes the lease meanwhile.
    expect(await fast.acquireLease("0")).toMatchObject({ owner: "fast", epoch: 1 });
    gates.shift()!();
    expect((await rejection(slowAcquire)).code).toBe("LeaseLost");
    expect(store.readRaw(scope, "0")).toMatchObject({ owner: "fast", epoch: "1" });
  });

  it("reports an abort that fires while an operation is delayed as Aborted, without applying it", async () => {
    const store = new MemoryLeaseStore();
    const controller = new AbortController();
    const delayed: MemoryStoreInterceptor = async (call, apply) => {
      if (call.operation === "replace") controller.abort();
      return apply();
    };
    const a = leaser("host-a", store, delayed);
    await a.ensureStore();
    await a.ensureLease("0");
    expect((await rejection(a.acquireLease("0", { abortSignal: controller.signal }))).code).toBe("Aborted");
    expect(store.readRaw(scope, "0")).toMatchObject({ owner: "", epoch: "0" });
  });
});
