import { inspect } from "node:util";
import type { HostInfo } from "@eph/core";
import { describe, expect, it } from "vitest";
import { MemoryLeaser, MemoryLeaseStore, type MemoryStoreInterceptor } from "../src/index.js";

const scope = { fullyQualifiedNamespace: "ns.servicebus.windows.net", eventHubName: "hub", consumerGroup: "$Default" };
const info = (hostName: string): HostInfo => ({ hostName, ...scope });

function counted(store: MemoryLeaseStore, hostName: string, groupWrites = false) {
  const calls: string[] = [];
  const interceptor: MemoryStoreInterceptor = async (call, apply) => {
    calls.push(call.operation);
    await Promise.resolve();
    return apply();
  };
  const leaser = new MemoryLeaser({ store, interceptor, groupWrites });
  leaser.setEventProcessorHost(info(hostName));
  return { leaser, calls };
}

describe("MemoryLeaser storage calls", () => {
  it("renew costs 1 call, a scan 1 list, and an acquire with the scan's version 1 call", async () => {
    const store = new MemoryLeaseStore();
    const { leaser, calls } = counted(store, "host-a");
    await leaser.ensureStore();
    for (const pid of ["0", "1", "2"]) await leaser.ensureLease(pid);
    calls.length = 0;
    const leases = await leaser.getLeases();
    for (const lease of leases) await leaser.acquireLease(lease.partitionId, { expectedVersion: lease.version });
    await leaser.renewLease("0");
    expect(calls).toEqual(["list", "replace", "replace", "replace", "replace"]);
  });

  it("with groupWrites, renewals issued together go out as one batch", async () => {
    const store = new MemoryLeaseStore();
    const { leaser, calls } = counted(store, "host-a", true);
    await leaser.ensureStore();
    const pids = Array.from({ length: 8 }, (_, i) => String(i));
    for (const pid of pids) await leaser.ensureLease(pid);
    for (const pid of pids) await leaser.acquireLease(pid);
    calls.length = 0;
    const renewed = await Promise.all(pids.map((pid) => leaser.renewLease(pid)));
    expect(calls).toEqual(["replaceMany"]);
    expect(renewed.map((lease) => lease.owner)).toEqual(pids.map(() => "host-a"));
    calls.length = 0;
    await leaser.renewLease("0");
    expect(calls, "a lone renewal is a plain replace").toEqual(["replace"]);
  });

  it("with groupWrites, a stolen lease in a batch loses alone: the others are retried by themselves and renewed", async () => {
    const store = new MemoryLeaseStore();
    const { leaser, calls } = counted(store, "host-a", true);
    const thief = new MemoryLeaser({ store });
    thief.setEventProcessorHost(info("thief"));
    await leaser.ensureStore();
    for (const pid of ["0", "1", "2"]) {
      await leaser.ensureLease(pid);
      await leaser.acquireLease(pid);
    }
    await thief.acquireLease("1");
    calls.length = 0;
    const outcomes = await Promise.allSettled(["0", "1", "2"].map((pid) => leaser.renewLease(pid)));
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(outcomes[1]).toMatchObject({ reason: { code: "LeaseLost" } });
    expect(calls[0]).toBe("replaceMany");
    expect((await thief.getLeases()).map((l) => l.owner)).toEqual(["host-a", "thief", "host-a"]);
  });

  it("util.inspect shows the host and hub, not the store, holds or interceptor", async () => {
    const leaser = new MemoryLeaser();
    leaser.setEventProcessorHost(info("host-a"));
    const text = inspect(leaser, { depth: 10, showHidden: true });
    expect(text).toBe('MemoryLeaser { host "host-a", hub "hub", group "$Default" }');
  });
});
