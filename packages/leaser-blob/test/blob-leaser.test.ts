import { inspect } from "node:util";
import { AzureLogger, setLogLevel } from "@azure/logger";
import type { ContainerClient } from "@azure/storage-blob";
import { ExpiryTracker, ManualClock } from "@eph/core/testing";
import {
  AZURITE_ACCOUNT_KEY,
  type AzuriteInstance,
  blobAccountSas,
  blobConnectionString,
  blobQuickRetries,
  blobSasConnectionString,
  containerSas,
  type FaultProxy,
  freshContainerName,
  hostInfo,
  rawContainer,
  rejection,
  startAzurite,
  startFaultProxy,
} from "@eph/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BlobLeaser } from "../src/index.js";

let azurite: AzuriteInstance;
let proxy: FaultProxy;
const logs: string[] = [];
beforeAll(async () => {
  azurite = await startAzurite();
  proxy = await startFaultProxy(azurite.blobEndpoint, { service: "blob" });
  setLogLevel("warning");
  AzureLogger.log = (...args: unknown[]) => {
    logs.push(args.map((a) => (typeof a === "string" ? a : inspect(a))).join(" "));
  };
});
afterAll(async () => {
  await proxy.close();
  await azurite.close();
});

let containerName: string;
let raw: ContainerClient;
beforeEach(async () => {
  containerName = freshContainerName();
  raw = rawContainer(azurite.blobEndpoint, containerName);
  await raw.create();
  proxy.clear();
  proxy.resetLog();
  logs.length = 0;
});

/** A leaser whose requests go through the counting proxy. */
function leaser(hostName: string, overrides: Parameters<typeof hostInfo>[1] = {}): BlobLeaser {
  const l = BlobLeaser.fromConnectionString(blobConnectionString(proxy.endpoint), containerName, {
    clientOptions: blobQuickRetries,
  });
  l.setEventProcessorHost(hostInfo(hostName, overrides));
  return l;
}

/** A connection string with a SAS scoped to `name` (default: this test's container). */
function containerSasConnection(name = containerName): string {
  return blobSasConnectionString(proxy.endpoint, containerSas(name));
}

/** The requests the proxy saw since the last reset, as `METHOD comp`. */
function calls(): string[] {
  return proxy.seen.map((r) => `${r.method} ${r.comp}`.trim());
}

async function listNames(): Promise<string[]> {
  const names: string[] = [];
  for await (const blob of raw.listBlobsFlat()) names.push(blob.name);
  return names;
}

describe("layout", () => {
  it("stores one empty blob per partition under <namespace>/<hub>/<consumer group>/eph-lease/, with format, epoch and owner only", async () => {
    const a = leaser("host a/é");
    await a.ensureLease("0");
    await a.ensureLease("1");
    await a.acquireLease("1");
    expect(await listNames()).toEqual([
      "contoso.servicebus.windows.net/orders/$default/eph-lease/0",
      "contoso.servicebus.windows.net/orders/$default/eph-lease/1",
    ]);
    const unowned = await raw
      .getBlockBlobClient("contoso.servicebus.windows.net/orders/$default/eph-lease/0")
      .getProperties();
    // An empty value is stored as a lone "%" (the service does not keep empty metadata reliably).
    expect(unowned.metadata).toEqual({ format: "1", epoch: "0", owner: "%" });
    const owned = await raw
      .getBlockBlobClient("contoso.servicebus.windows.net/orders/$default/eph-lease/1")
      .getProperties();
    // The owner is percent-encoded (metadata are HTTP headers); nothing else, no lease id, no body.
    expect(owned.metadata).toEqual({ format: "1", epoch: "1", owner: "host%20a%2F%C3%A9" });
    expect(owned.contentLength).toBe(0);
    // No native blob lease: nothing a reader could take over with a lease id.
    expect(owned.leaseState).toBe("available");
    expect((await a.getLeases()).find((l) => l.partitionId === "1")?.owner).toBe("host a/é");
  });

  it("treats namespace, hub and consumer group case-insensitively, as Event Hubs does", async () => {
    const a = leaser("a", { fullyQualifiedNamespace: "Contoso.ServiceBus.Windows.Net", eventHubName: "Orders" });
    const b = leaser("b", { consumerGroup: "$DEFAULT" });
    await a.ensureLease("0");
    const acquired = await a.acquireLease("0");
    expect(await b.getLeases()).toEqual([acquired]);
  });
});

describe("cost", () => {
  it("renews with one call, scans with one listing, and acquires a scanned lease with one call", async () => {
    const a = leaser("a");
    const b = leaser("b");
    const partitions = Array.from({ length: 32 }, (_, i) => String(i));
    await Promise.all(partitions.map((p) => a.ensureLease(p)));
    proxy.resetLog();

    const scan = await b.getLeases();
    expect(scan).toHaveLength(32);
    expect(calls()).toEqual(["GET list"]);

    proxy.resetLog();
    for (const lease of scan.slice(0, 8)) await b.acquireLease(lease.partitionId, { expectedVersion: lease.version });
    expect(calls()).toEqual(Array(8).fill("PUT metadata"));

    // Steady state: per renewal interval, one write per owned partition and one listing per scan.
    proxy.resetLog();
    const intervals = 5;
    for (let k = 0; k < intervals; k++) {
      await Promise.all(scan.slice(0, 8).map((l) => b.renewLease(l.partitionId)));
      await b.getLeases();
    }
    expect(proxy.seen.length).toBe(intervals * (8 + 1));
    expect(calls().filter((c) => c === "PUT metadata")).toHaveLength(intervals * 8);
    expect(calls().filter((c) => c === "GET list")).toHaveLength(intervals);
  });

  it("costs one create for ensureLease of a new lease (the balancer's case), a create and a read for an existing one", async () => {
    const a = leaser("a");
    await a.ensureLease("0");
    expect(calls()).toEqual(["PUT"]);
    proxy.resetLog();
    await a.ensureLease("0");
    expect(calls()).toEqual(["PUT", "HEAD"]);
    proxy.resetLog();
    await a.acquireLease("0");
    expect(calls(), "acquire without a version reads first").toEqual(["HEAD", "PUT metadata"]);
  });

  it("asks for 5000 blobs per listing page and follows continuation pages", async () => {
    // The shared-key signature covers the query the proxy rewrites; a SAS does not.
    const sasLeaser = BlobLeaser.fromConnectionString(
      blobSasConnectionString(proxy.endpoint, blobAccountSas()),
      containerName,
      {
        clientOptions: blobQuickRetries,
      },
    );
    sasLeaser.setEventProcessorHost(hostInfo("a"));
    await Promise.all(["0", "1", "2", "3", "4"].map((p) => sasLeaser.ensureLease(p)));
    proxy.resetLog();
    proxy.limitPageSize(2);
    expect((await sasLeaser.getLeases()).map((l) => l.partitionId).sort()).toEqual(["0", "1", "2", "3", "4"]);
    expect(calls()).toEqual(["GET list", "GET list", "GET list"]);
    expect(proxy.seen.map((r) => r.maxResults)).toEqual(["5000", "5000", "5000"]);
  });
});

describe("expiry and stealing", () => {
  it("an observer judges expiry by how long the version stays unchanged on its own clock, then takes the lease", async () => {
    const clock = new ManualClock();
    const leaseDuration = 60_000;
    const tracker = new ExpiryTracker(leaseDuration);
    const owner = leaser("owner");
    const observer = leaser("observer");
    await owner.ensureLease("0");
    await owner.acquireLease("0");
    const scan = async () => {
      const [lease] = await observer.getLeases();
      tracker.observe(lease!, clock.now());
      return lease!;
    };
    // While the owner renews every 10 s, the lease never looks free, however long it runs.
    for (let t = 0; t < 12; t++) {
      expect(tracker.isFree(await scan(), clock.now()), `renewing, t=${t * 10}s`).toBe(false);
      await owner.renewLease("0");
      await clock.advance(10_000);
    }
    // The owner stops renewing (a crash, a pause): the version freezes.
    const frozen = await scan();
    await clock.advance(leaseDuration - 1);
    expect(tracker.isFree(await scan(), clock.now()), "one ms before the lease duration").toBe(false);
    await clock.advance(1);
    const expired = await scan();
    expect(expired.version).toBe(frozen.version);
    expect(tracker.isFree(expired, clock.now())).toBe(true);
    const taken = await observer.acquireLease("0", { expectedVersion: expired.version });
    expect(taken).toMatchObject({ owner: "observer", epoch: 2 });
    // The owner wakes up: its renewal is conditional on the old version and fails.
    expect((await rejection(owner.renewLease("0"))).code).toBe("LeaseLost");
  });

  it("steals a live lease at once (no waiting for expiry); the old owner learns on its next renewal", async () => {
    const a = leaser("a");
    const b = leaser("b");
    await a.ensureLease("0");
    await a.acquireLease("0");
    const live = await a.renewLease("0");
    const stolen = await b.acquireLease("0", { expectedVersion: live.version });
    expect(stolen).toMatchObject({ owner: "b", epoch: 2 });
    const lost = await rejection(a.renewLease("0"));
    expect(lost.code).toBe("LeaseLost");
    expect(lost.partitionId).toBe("0");
  });
});

describe("corrupt and foreign blobs", () => {
  const prefix = "contoso.servicebus.windows.net/orders/$default/eph-lease/";
  const foreign: Array<[string, Record<string, string>]> = [
    ["no metadata", {}],
    ["a newer format", { format: "2", epoch: "1", owner: "x" }],
    ["no epoch", { format: "1", owner: "x" }],
    ["no owner", { format: "1", epoch: "1" }],
    ["a negative epoch", { format: "1", epoch: "-3", owner: "%" }],
    ["a fractional epoch", { format: "1", epoch: "1.5", owner: "%" }],
    ["an epoch beyond 2^53", { format: "1", epoch: "99999999999999999999", owner: "%" }],
    ["an owner that is not percent-encoded", { format: "1", epoch: "1", owner: "%E0%A4%A" }],
  ];

  it.each(foreign)("skips a blob with %s in getLeases and names it in per-partition errors", async (_, metadata) => {
    const a = leaser("a");
    await a.ensureLease("0");
    await raw.getBlockBlobClient(`${prefix}9`).upload("x", 1, { metadata });
    expect((await a.getLeases()).map((l) => l.partitionId)).toEqual(["0"]);
    // Blobs whose metadata are no record name the blob; records that hold no lease name the partition.
    const named = new RegExp(`"${prefix.replace(/\$/g, "\\$")}9"|lease record of partition "9"`);
    expect(logs.some((line) => named.test(line))).toBe(true);
    for (const call of [
      () => a.ensureLease("9"),
      () => a.acquireLease("9"),
      () => a.acquireLease("9", { expectedVersion: "x" }),
    ]) {
      const error = await rejection(call());
      expect(error.code).toBe("CorruptRecord");
      expect(error.message).toMatch(named);
      expect(error.partitionId).toBe("9");
    }
    // Recovery: delete the record and ensure it afresh.
    await a.deleteLease("9");
    expect(await a.ensureLease("9")).toMatchObject({ owner: "", epoch: 0 });
  });

  it("reads the lease blobs of eph 0.1 (no format) with their epoch and owner, and upgrades them on write", async () => {
    await raw.getBlockBlobClient(`${prefix}0`).upload("", 0, { metadata: { epoch: "7", owner: "host%20x" } });
    await raw.getBlockBlobClient(`${prefix}1`).upload("", 0, { metadata: { epoch: "3" } });
    const a = leaser("a");
    expect((await a.getLeases()).map(({ partitionId, owner, epoch }) => ({ partitionId, owner, epoch }))).toEqual([
      { partitionId: "0", owner: "host x", epoch: 7 },
      { partitionId: "1", owner: "", epoch: 3 },
    ]);
    // The epoch goes on from where it was, so checkpoints fenced at it stay writable.
    expect(await a.acquireLease("1")).toMatchObject({ owner: "a", epoch: 4 });
    const upgraded = await raw.getBlockBlobClient(`${prefix}1`).getProperties();
    expect(upgraded.metadata).toEqual({ format: "1", epoch: "4", owner: "a" });
  });

  it("skips blobs under the prefix whose names are not partition ids", async () => {
    const a = leaser("a");
    await a.ensureLease("0");
    await raw.getBlockBlobClient(`${prefix}0/backup`).upload("", 0, { metadata: { epoch: "4" } });
    await raw.getBlockBlobClient(`${prefix}0.`).upload("", 0, { metadata: { epoch: "4" } });
    expect((await a.getLeases()).map((l) => l.partitionId)).toEqual(["0"]);
    expect(logs.some((line) => line.includes(`"${prefix}0/backup"`))).toBe(true);
  });

  it("a native blob lease someone else put on a record makes writes fail as LeaseLost, not crash", async () => {
    const a = leaser("a");
    await a.ensureLease("0");
    await a.acquireLease("0");
    // E.g. a leftover from the Go eph, which held native leases on blobs at this path's level.
    const native = raw.getBlockBlobClient(`${prefix}0`).getBlobLeaseClient();
    await native.acquireLease(-1);
    expect((await rejection(a.renewLease("0"))).code).toBe("LeaseLost");
    const b = leaser("b");
    expect((await rejection(b.acquireLease("0"))).code).toBe("LeaseLost");
    await native.releaseLease();
    expect(await b.acquireLease("0")).toMatchObject({ owner: "b", epoch: 2 });
  });
});

describe("credentials", () => {
  it("works with a SAS scoped to the container, which may not create it or read its properties", async () => {
    const sas = containerSasConnection();
    const a = BlobLeaser.fromConnectionString(sas, containerName, { clientOptions: blobQuickRetries });
    a.setEventProcessorHost(hostInfo("a"));
    expect(await a.storeExists()).toBe(true);
    await a.ensureStore();
    await a.ensureLease("0");
    expect(await a.acquireLease("0")).toMatchObject({ owner: "a", epoch: 1 });
    expect((await a.getLeases())[0]).toMatchObject({ owner: "a", epoch: 1 });
    // A container it cannot see is missing; one it cannot create stays an error naming the refusal.
    const missing = freshContainerName();
    const b = BlobLeaser.fromConnectionString(containerSasConnection(missing), missing, {
      clientOptions: blobQuickRetries,
    });
    b.setEventProcessorHost(hostInfo("b"));
    expect(await b.storeExists()).toBe(false);
    const refused = await rejection(b.ensureStore());
    expect(refused.code).toBe("StoreUnavailable");
    expect(refused.message).toContain("403");
  });
});

describe("bad input", () => {
  it("rejects invalid container names before any network call", () => {
    for (const bad of ["ab", "Upper", "a--b", "-ab", "ab-", "a_b", "x".repeat(64), "", 7]) {
      expect(() => BlobLeaser.fromConnectionString(blobConnectionString(proxy.endpoint), bad as string)).toThrow(
        expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("containerName") }),
      );
    }
    expect(proxy.seen).toHaveLength(0);
  });

  it("rejects malformed connection strings without quoting them", () => {
    const garbage = `AccountName=x;AccountKey=${AZURITE_ACCOUNT_KEY};nonsense`;
    for (const bad of [garbage, "", "   "]) {
      let thrown: unknown;
      try {
        BlobLeaser.fromConnectionString(bad, "leases");
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toMatchObject({ code: "InvalidConnectionString" });
      expect(inspect(thrown, { depth: 10 })).not.toContain(AZURITE_ACCOUNT_KEY);
    }
  });

  it("refuses plain http to a remote endpoint unless allowed", () => {
    const remote = `DefaultEndpointsProtocol=http;AccountName=x;AccountKey=${AZURITE_ACCOUNT_KEY};BlobEndpoint=http://storage.example.com;`;
    let thrown: unknown;
    try {
      BlobLeaser.fromConnectionString(remote, "leases");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: "InvalidConnectionString" });
    expect(inspect(thrown, { depth: 10 })).not.toContain(AZURITE_ACCOUNT_KEY);
    expect(BlobLeaser.fromConnectionString(remote, "leases", { allowInsecureConnection: true }).containerName).toBe(
      "leases",
    );
    expect(BlobLeaser.fromConnectionString(remote.replace(/http:/g, "https:"), "leases").containerName).toBe("leases");
  });

  it("rejects partition ids and host info that cannot be part of a blob name", async () => {
    expect(() => new BlobLeaser({} as ContainerClient)).toThrow(expect.objectContaining({ code: "InvalidOption" }));
    const a = leaser("a");
    for (const bad of ["", "x".repeat(1100), 7, undefined]) {
      const error = await rejection(a.ensureLease(bad as string));
      expect(error.code, JSON.stringify(bad)).toBe("InvalidOption");
    }
    expect((await rejection(a.acquireLease("0", { expectedVersion: "" }))).code).toBe("InvalidOption");
    for (const field of ["fullyQualifiedNamespace", "eventHubName", "consumerGroup", "hostName"] as const) {
      expect(() => a.setEventProcessorHost({ ...hostInfo("a"), [field]: "" })).toThrow(
        expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining(field) }),
      );
    }
    for (const hostName of ["\ud800", "h".repeat(2000)]) {
      expect(() => a.setEventProcessorHost(hostInfo(hostName))).toThrow(
        expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("hostName") }),
      );
    }
    expect(() => a.setEventProcessorHost({ ...hostInfo("a"), eventHubName: "a/b" })).toThrow(
      expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("eventHubName") }),
    );
    expect(proxy.seen).toHaveLength(0);
  });
});
