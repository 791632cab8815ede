import type { TableClient } from "@azure/data-tables";
import { isEphError, type LeaseMarker } from "@eph/core";
import { ExpiryTracker, ManualClock } from "@eph/core/testing";
import {
  type AzuriteInstance,
  countCalls,
  freshTableName,
  hostInfo,
  rawTableClient,
  rejection,
  startAzurite,
} from "@eph/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TableLeaser } from "../src/index.js";

let azurite: AzuriteInstance;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.close();
});

let tableName: string;
let raw: TableClient;
beforeEach(async () => {
  tableName = freshTableName();
  raw = rawTableClient(azurite, tableName);
  await raw.createTable();
});

function leaser(hostName: string, options: { groupWrites?: boolean; hub?: string; consumerGroup?: string } = {}) {
  const client = rawTableClient(azurite, tableName);
  const calls = countCalls(client);
  const l = new TableLeaser(client, { groupWrites: options.groupWrites });
  l.setEventProcessorHost(
    hostInfo(hostName, {
      ...(options.hub ? { eventHubName: options.hub } : {}),
      ...(options.consumerGroup ? { consumerGroup: options.consumerGroup } : {}),
    }),
  );
  return Object.assign(l, { calls });
}

describe("ownership", () => {
  it("refuses record calls before setEventProcessorHost", async () => {
    const l = new TableLeaser(rawTableClient(azurite, tableName));
    expect((await rejection(l.getLeases())).code).toBe("NotConfigured");
    expect((await rejection(l.ensureLease("0"))).code).toBe("NotConfigured");
  });

  it("creates an unowned lease at epoch 0 once, and returns the same one after", async () => {
    const a = leaser("a");
    const first = await a.ensureLease("0");
    expect(first).toMatchObject({ partitionId: "0", owner: "", epoch: 0 });
    const again = await leaser("b").ensureLease("0");
    expect(again).toEqual(first);
  });

  it("lets exactly one of many concurrent acquirers win, at epoch 1", async () => {
    const lease = await leaser("seed").ensureLease("0");
    const hosts = Array.from({ length: 8 }, (_, i) => leaser(`h${i}`));
    const results = await Promise.allSettled(hosts.map((h) => h.acquireLease("0", { expectedVersion: lease.version })));
    const won = results.filter((r): r is PromiseFulfilledResult<LeaseMarker> => r.status === "fulfilled");
    expect(won).toHaveLength(1);
    expect(won[0]?.value.epoch).toBe(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason.code).toBe("LeaseLost");
  });

  it("never gives two racers the same epoch when they acquire without an expected version", async () => {
    await leaser("seed").ensureLease("0");
    const hosts = Array.from({ length: 6 }, (_, i) => leaser(`h${i}`));
    const epochs: number[] = [];
    await Promise.all(
      hosts.map(async (h) => {
        for (let i = 0; i < 4; i++) {
          try {
            epochs.push((await h.acquireLease("0")).epoch);
          } catch (error) {
            if (!isEphError(error, "LeaseLost")) throw error;
          }
        }
      }),
    );
    expect(new Set(epochs).size).toBe(epochs.length);
    const [stored] = await leaser("observer").getLeases();
    expect(stored?.epoch).toBe(Math.max(...epochs));
  });

  it("renews with a new version, keeping owner and epoch", async () => {
    const a = leaser("a");
    await a.ensureLease("0");
    const acquired = await a.acquireLease("0");
    const renewed = await a.renewLease("0");
    expect(renewed).toMatchObject({ owner: "a", epoch: acquired.epoch });
    expect(renewed.version).not.toBe(acquired.version);
    const updated = await a.updateLease("0");
    expect(updated.version).not.toBe(renewed.version);
    const [seen] = await leaser("observer").getLeases();
    expect(seen).toEqual(updated);
  });

  it("loses a stolen lease: the thief gets epoch + 1 and the old owner's renew and release fail", async () => {
    const a = leaser("a");
    const b = leaser("b");
    await a.ensureLease("0");
    await a.acquireLease("0");
    const [seen] = await b.getLeases();
    const stolen = await b.acquireLease("0", { expectedVersion: seen?.version });
    expect(stolen).toMatchObject({ owner: "b", epoch: 2 });
    expect((await rejection(a.renewLease("0"))).code).toBe("LeaseLost");
    expect((await rejection(a.releaseLease("0"))).code).toBe("LeaseLost");
    expect((await rejection(a.acquireLease("0", { expectedVersion: seen?.version }))).code).toBe("LeaseLost");
  });

  it("releases to owner '' keeping the epoch, after which renewing fails", async () => {
    const a = leaser("a");
    await a.ensureLease("0");
    await a.acquireLease("0");
    await a.releaseLease("0");
    const [seen] = await leaser("observer").getLeases();
    expect(seen).toMatchObject({ owner: "", epoch: 1 });
    expect((await rejection(a.renewLease("0"))).code).toBe("LeaseLost");
  });

  it("refuses to renew a lease this instance never held, even under the same host name", async () => {
    const a = leaser("a");
    await a.ensureLease("0");
    await a.acquireLease("0");
    expect((await rejection(leaser("a").renewLease("0"))).code).toBe("LeaseLost");
  });

  it("reports LeaseNotFound when acquiring a partition without a lease", async () => {
    expect((await rejection(leaser("a").acquireLease("9"))).code).toBe("LeaseNotFound");
  });

  it("deletes a lease, idempotently, and a held one is then lost", async () => {
    const a = leaser("a");
    await a.ensureLease("0");
    await a.acquireLease("0");
    await leaser("b").deleteLease("0");
    await leaser("b").deleteLease("0");
    expect(await a.getLeases()).toEqual([]);
    expect((await rejection(a.renewLease("0"))).code).toBe("LeaseLost");
  });
});

describe("layout", () => {
  it("keeps hubs and consumer groups that share a table apart", async () => {
    const orders = leaser("a", { hub: "orders" });
    const billing = leaser("a", { hub: "billing" });
    const audit = leaser("a", { hub: "orders", consumerGroup: "audit" });
    await orders.ensureLease("0");
    await orders.acquireLease("0");
    await billing.ensureLease("0");
    await audit.ensureLease("1");
    expect((await orders.getLeases()).map((l) => [l.partitionId, l.owner])).toEqual([["0", "a"]]);
    expect((await billing.getLeases()).map((l) => [l.partitionId, l.owner])).toEqual([["0", ""]]);
    expect((await audit.getLeases()).map((l) => l.partitionId)).toEqual(["1"]);
  });

  it("stores format, owner and epoch only, as strings, under a key naming namespace, hub and consumer group", async () => {
    const a = leaser("a");
    await a.ensureLease("7");
    await a.acquireLease("7");
    const entities = [];
    for await (const e of raw.listEntities()) entities.push(e);
    expect(entities).toHaveLength(1);
    const { etag, timestamp, ...stored } = entities[0] as Record<string, unknown>;
    expect(stored).toEqual({
      partitionKey: "contoso.servicebus.windows.net orders $default eph-lease",
      rowKey: "7",
      format: "1",
      owner: "a",
      epoch: "1",
    });
    expect(typeof etag).toBe("string");
    expect(typeof timestamp).toBe("string"); // the service's own, never read by eph
  });

  it("escapes characters tables refuse in keys, and round-trips them", async () => {
    const weird = "a/b\\c#d?e'f%g\u0001h i!j\u00e9\u4e2d";
    const a = leaser("a", { hub: "hub/with#odd?name", consumerGroup: "cg\\x" });
    await a.ensureLease(weird);
    const acquired = await a.acquireLease(weird);
    expect(acquired.partitionId).toBe(weird);
    expect((await a.getLeases()).map((l) => l.partitionId)).toEqual([weird]);
    const [entity] = await (async () => {
      const out = [];
      for await (const e of raw.listEntities()) out.push(e);
      return out;
    })();
    // Only letters, digits, a few marks, the escape "!" and the separating space remain.
    expect(entity?.partitionKey).toMatch(/^[A-Za-z0-9._$~! -]+$/);
    expect(entity?.rowKey).toMatch(/^[A-Za-z0-9._$~!-]+$/);
  });

  it("rejects an empty partition id with InvalidOption", async () => {
    expect((await rejection(leaser("a").ensureLease(""))).code).toBe("InvalidOption");
  });
});

describe("calls", () => {
  it("costs one call per renew, one per scan, one per acquire after a scan", async () => {
    const a = leaser("a");
    for (const p of ["0", "1", "2"]) await a.ensureLease(p);
    a.calls.reset();
    const leases = await a.getLeases();
    expect(a.calls.total).toBe(1);
    a.calls.reset();
    await a.acquireLease("0", { expectedVersion: leases[0]?.version });
    expect(a.calls.total).toBe(1);
    a.calls.reset();
    await a.renewLease("0");
    expect(a.calls.total).toBe(1);
    a.calls.reset();
    await a.releaseLease("0");
    expect(a.calls.total).toBe(1);
  });

  it("renews many held leases in one entity group transaction", async () => {
    const a = leaser("a");
    const ids = Array.from({ length: 32 }, (_, i) => String(i));
    await Promise.all(ids.map((p) => a.ensureLease(p)));
    await Promise.all(ids.map((p) => a.acquireLease(p)));
    a.calls.reset();
    const before = await a.getLeases();
    const renewed = await Promise.all(ids.map((p) => a.renewLease(p)));
    expect(a.calls.total).toBe(2);
    for (const r of renewed) expect(r.version).not.toBe(before.find((l) => l.partitionId === r.partitionId)?.version);
    expect(await leaser("observer").getLeases()).toEqual(expect.arrayContaining(renewed));
  });

  it("creates many leases ensured together in one entity group transaction", async () => {
    const a = leaser("a");
    const ids = Array.from({ length: 32 }, (_, i) => String(i));
    a.calls.reset();
    const created = await Promise.all(ids.map((p) => a.ensureLease(p)));
    expect(a.calls.total).toBe(1);
    expect(created.map((l) => [l.partitionId, l.owner, l.epoch])).toEqual(ids.map((p) => [p, "", 0]));
    expect(await leaser("observer").getLeases()).toEqual(expect.arrayContaining(created));
  });

  it("ensures leases together when some exist: the transaction refused at one, the others created together", async () => {
    const a = leaser("a");
    const ids = Array.from({ length: 8 }, (_, i) => String(i));
    const existing = await a.ensureLease("5");
    a.calls.reset();
    const ensured = await Promise.all(ids.map((p) => a.ensureLease(p)));
    // The refused transaction, the read of the lease that exists, the other seven together.
    expect(a.calls.total).toBe(3);
    expect(ensured[5]).toEqual(existing);
    expect((await a.getLeases()).map((l) => l.partitionId)).toEqual(ids);
  });

  it("splits off a write whose condition failed and still renews the others together", async () => {
    const a = leaser("a");
    const ids = Array.from({ length: 8 }, (_, i) => String(i));
    await Promise.all(ids.map((p) => a.ensureLease(p)));
    await Promise.all(ids.map((p) => a.acquireLease(p)));
    await leaser("b").acquireLease("5");
    a.calls.reset();
    const results = await Promise.allSettled(ids.map((p) => a.renewLease(p)));
    expect(results.map((r) => r.status)).toEqual(ids.map((p) => (p === "5" ? "rejected" : "fulfilled")));
    expect((results[5] as PromiseRejectedResult).reason.code).toBe("LeaseLost");
    // The refused transaction, the read that tells a steal from a retried write of ours, the rest together.
    expect(a.calls.total).toBe(3);
  });

  it("stops splitting a contended group after two failures and sends the rest at once", async () => {
    const a = leaser("a");
    const ids = Array.from({ length: 8 }, (_, i) => String(i));
    await Promise.all(ids.map((p) => a.ensureLease(p)));
    await Promise.all(ids.map((p) => a.acquireLease(p)));
    const stolen = ["1", "3", "4", "6"];
    for (const p of stolen) await leaser("b").acquireLease(p);
    a.calls.reset();
    const results = await Promise.allSettled(ids.map((p) => a.renewLease(p)));
    expect(results.map((r) => r.status)).toEqual(ids.map((p) => (stolen.includes(p) ? "rejected" : "fulfilled")));
    // Two transactions, each refused at one stolen lease, then the six left one by one; and one read per
    // stolen lease to tell a steal from a retried write of ours.
    expect(a.calls.total).toBe(12);
    expect((await a.getLeases()).filter((l) => l.owner === "a").map((l) => l.partitionId)).toEqual([
      "0",
      "2",
      "5",
      "7",
    ]);
  });

  it("sends every write alone when grouping is off", async () => {
    const a = leaser("a", { groupWrites: false });
    const ids = Array.from({ length: 5 }, (_, i) => String(i));
    await Promise.all(ids.map((p) => a.ensureLease(p)));
    await Promise.all(ids.map((p) => a.acquireLease(p)));
    a.calls.reset();
    await Promise.all(ids.map((p) => a.renewLease(p)));
    expect(a.calls.total).toBe(5);
  });
});

describe("expiry on the observer's clock", () => {
  it("hosts whose clocks disagree by minutes agree on liveness, judged by ETag changes alone", async () => {
    const leaseDuration = 60_000;
    const owner = leaser("owner");
    const observer = leaser("observer");
    // The observer's clock is 7 minutes ahead of the owner's; nothing stored carries either.
    const ownerClock = new ManualClock(0);
    const observerClock = new ManualClock(7 * 60_000);
    const tracker = new ExpiryTracker(leaseDuration);
    await owner.ensureLease("0");
    await owner.acquireLease("0");
    const scan = async () => {
      const [lease] = await observer.getLeases();
      if (!lease) throw new Error("lease missing");
      tracker.observe(lease, observerClock.now());
      return tracker.isFree(lease, observerClock.now());
    };
    // Two minutes of renewals every 10 s: never free in the observer's eyes.
    for (let t = 0; t < 12; t++) {
      await ownerClock.advance(10_000);
      await observerClock.advance(10_000);
      await owner.renewLease("0");
      expect(await scan()).toBe(false);
    }
    // The owner stops. The lease is free once its ETag has stood still for a lease duration of the
    // observer's own clock, counted from when the observer first saw that ETag.
    const freeAt: number[] = [];
    for (let t = 0; t < 8; t++) {
      await observerClock.advance(10_000);
      if (await scan()) freeAt.push(t);
    }
    expect(freeAt[0]).toBe(5); // 6 scans x 10 s after the last renewal was first seen
  });
});
