import { inspect } from "node:util";
import { AzureLogger, setLogLevel } from "@azure/logger";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import {
  AZURITE_ACCOUNT_KEY,
  type AzuriteInstance,
  blobAccountSas,
  blobConnectionString,
  blobQuickRetries,
  blobSasConnectionString,
  consoleSink,
  exposed,
  type FaultProxy,
  freshContainerName,
  hostInfo,
  keyForms,
  rawContainer,
  rejection,
  sasSignature,
  startAzurite,
  startFaultProxy,
} from "@eph/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BlobLeaser, BlobRequestError } from "../src/index.js";

let azurite: AzuriteInstance;
let proxy: FaultProxy;
const logs: string[] = [];
beforeAll(async () => {
  azurite = await startAzurite();
  proxy = await startFaultProxy(azurite.blobEndpoint, { service: "blob" });
  // Everything eph and the Azure SDK log, at the most verbose level, is checked for secrets below.
  setLogLevel("verbose");
  AzureLogger.log = (...args: unknown[]) => {
    logs.push(args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 6 }))).join(" "));
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

/** A leaser whose requests go through the fault proxy. */
function leaser(hostName: string, connectionString = blobConnectionString(proxy.endpoint)): BlobLeaser {
  const l = BlobLeaser.fromConnectionString(connectionString, containerName, { clientOptions: blobQuickRetries });
  l.setEventProcessorHost(hostInfo(hostName));
  return l;
}

describe("transient failures", () => {
  it("maps throttling that outlasts the SDK's retries to StoreUnavailable, with the status as cause", async () => {
    const a = leaser("a");
    await a.ensureLease("0");
    await a.acquireLease("0");
    proxy.resetLog();
    proxy.inject({ status: 503, code: "ServerBusy" }, { status: 503 }, { status: 503 });
    const error = await rejection(a.renewLease("0"));
    expect(error.code).toBe("StoreUnavailable");
    expect(error.message).toContain("503");
    expect(error.partitionId).toBe("0");
    expect(error.cause).toBeInstanceOf(BlobRequestError);
    expect((error.cause as BlobRequestError).statusCode).toBe(503);
    // One try and the client's two retries, then one read: did the write land after all? It did not.
    expect(proxy.seen.map((r) => `${r.method} ${r.comp}`.trim())).toEqual([
      "PUT metadata",
      "PUT metadata",
      "PUT metadata",
      "HEAD",
    ]);
    // The lease is still held: the next renewal succeeds.
    expect(await a.renewLease("0")).toMatchObject({ owner: "a", epoch: 1 });
  });

  it("lets the SDK retry a single 503 and succeeds", async () => {
    const a = leaser("a");
    await a.ensureLease("0");
    await a.acquireLease("0");
    proxy.resetLog();
    proxy.inject({ status: 503, code: "ServerBusy" });
    expect(await a.renewLease("0")).toMatchObject({ owner: "a", epoch: 1 });
    expect(proxy.seen).toHaveLength(2);
  });

  it("maps server timeouts (500 OperationTimedOut, 504) and reset connections to StoreUnavailable", async () => {
    const a = leaser("a");
    await a.ensureLease("0");
    proxy.always({ status: 500, code: "OperationTimedOut" });
    expect((await rejection(a.getLeases())).code).toBe("StoreUnavailable");
    proxy.always({ status: 504, code: "GatewayTimeout" });
    expect((await rejection(a.acquireLease("0"))).code).toBe("StoreUnavailable");
    proxy.always("reset");
    const reset = await rejection(a.ensureLease("1"));
    expect(reset.code).toBe("StoreUnavailable");
    proxy.clear();
    expect(await a.getLeases()).toHaveLength(1);
  });

  it("ends a hung request at the caller's deadline and stays usable", async () => {
    const a = leaser("a");
    await a.ensureLease("0");
    await a.acquireLease("0");
    proxy.inject("hang");
    const started = performance.now();
    expect((await rejection(a.renewLease("0", { abortSignal: AbortSignal.timeout(150) }))).code).toBe("Aborted");
    expect(performance.now() - started).toBeLessThan(5_000);
    // The proxy never forwarded the hung request, so the hold is intact.
    expect(await a.renewLease("0")).toMatchObject({ owner: "a", epoch: 1 });
  });

  it("recognises its own write when the answer was lost and the SDK's retry fails its condition", async () => {
    const a = leaser("a");
    const b = leaser("b");
    const ensured = await a.ensureLease("0");
    proxy.inject("lose-response");
    const acquired = await a.acquireLease("0", { expectedVersion: ensured.version });
    expect(acquired).toMatchObject({ owner: "a", epoch: 1 });
    proxy.inject("lose-response");
    const renewed = await a.renewLease("0");
    expect(renewed).toMatchObject({ owner: "a", epoch: 1 });
    expect((await b.getLeases())[0]).toEqual(renewed);
    // The hold continues on the recovered version, and a genuine loss is still a loss.
    const stolen = await b.acquireLease("0", { expectedVersion: renewed.version });
    expect((await rejection(a.renewLease("0"))).code).toBe("LeaseLost");
    proxy.inject("lose-response");
    await b.releaseLease("0");
    expect((await a.getLeases())[0]).toMatchObject({ owner: "", epoch: stolen.epoch });
  });

  it("maps a container being deleted (409 ContainerBeingDeleted) on ensureStore to StoreUnavailable", async () => {
    const a = leaser("a");
    proxy.always({ status: 409, code: "ContainerBeingDeleted" });
    expect((await rejection(a.ensureStore())).code).toBe("StoreUnavailable");
  });
});

describe("the container deleted mid-run", () => {
  it("rejects StoreNotFound until ensureStore, then the partitions are claimed afresh", async () => {
    const a = leaser("a");
    const b = leaser("b");
    await Promise.all(["0", "1"].map((p) => a.ensureLease(p)));
    await a.acquireLease("0");
    await b.acquireLease("1");
    await raw.delete();
    expect((await rejection(a.renewLease("0"))).code).toBe("StoreNotFound");
    expect((await rejection(b.getLeases())).code).toBe("StoreNotFound");
    expect((await rejection(b.ensureLease("1"))).code).toBe("StoreNotFound");
    expect((await rejection(b.releaseLease("1"))).code).toBe("StoreNotFound");
    expect(await a.storeExists()).toBe(false);
    await Promise.all([a.ensureStore(), b.ensureStore()]);
    await Promise.all(["0", "1"].map((p) => b.ensureLease(p)));
    // The old holds died with the container.
    expect((await rejection(a.renewLease("0"))).code).toBe("LeaseLost");
    expect((await b.acquireLease("0")).epoch).toBe(1);
    expect((await b.getLeases()).map((l) => l.owner).sort()).toEqual(["", "b"]);
  });

  it("lets many hosts create the container and the same leases at once", async () => {
    await raw.delete();
    const hosts = Array.from({ length: 20 }, (_, i) => leaser(`h${i}`));
    await Promise.all(hosts.map((h) => h.ensureStore()));
    const ensured = await Promise.all(hosts.flatMap((h) => ["0", "1", "2"].map((p) => h.ensureLease(p))));
    const versions = new Map<string, Set<string>>();
    for (const l of ensured) versions.set(l.partitionId, (versions.get(l.partitionId) ?? new Set()).add(l.version));
    for (const set of versions.values()) expect(set.size).toBe(1);
    expect(await hosts[0]?.getLeases()).toHaveLength(3);
  });
});

describe("secrets", () => {
  it("keeps a SAS token out of errors and logs when calls fail", async () => {
    const sas = blobAccountSas();
    const sig = sasSignature(sas);
    const a = leaser("a", blobSasConnectionString(proxy.endpoint, sas));
    await a.ensureLease("0");
    proxy.always({ status: 503, code: "ServerBusy" });
    const errors = [await rejection(a.getLeases()), await rejection(a.acquireLease("0"))];
    proxy.clear();
    await raw.delete();
    errors.push(await rejection(a.ensureLease("1")));
    // Nothing listens on port 1: a transport error, whose text the SDK builds from the request.
    const dead = new BlobLeaser(
      BlobServiceClient.fromConnectionString(
        blobSasConnectionString("http://127.0.0.1:1/devstoreaccount1", sas),
        blobQuickRetries,
      ).getContainerClient(containerName),
    );
    dead.setEventProcessorHost(hostInfo("a"));
    errors.push(await rejection(dead.getLeases()));
    expect(errors.map((e) => e.code)).toEqual([
      "StoreUnavailable",
      "StoreUnavailable",
      "StoreNotFound",
      "StoreUnavailable",
    ]);
    for (const error of errors) {
      expect(exposed(error)).not.toContain(sig);
      expect(exposed(error)).not.toContain(encodeURIComponent(sig));
    }
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) {
      expect(line).not.toContain(sig);
      expect(line).not.toContain(encodeURIComponent(sig));
    }
  });

  it("keeps an account key out of errors and logs when calls fail", async () => {
    const a = leaser("a");
    proxy.always({ status: 403, code: "AuthenticationFailed" });
    const error = await rejection(a.getLeases());
    expect(error.code).toBe("StoreUnavailable");
    expect(error.message).toContain("403");
    expect(exposed(error)).not.toContain(AZURITE_ACCOUNT_KEY);
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) expect(line).not.toContain(AZURITE_ACCOUNT_KEY);
  });
});

// Issue 13: each of these failed on the blob leaser before it ran on core's protocol.
describe("what users hand in and print", () => {
  it("does not show the account key or its bytes when printed with util.inspect", () => {
    const a = leaser("a", blobConnectionString(azurite.blobEndpoint));
    const printed = inspect(a, { depth: 10, showHidden: true });
    for (const secret of keyForms(AZURITE_ACCOUNT_KEY)) expect(printed).not.toContain(secret);
    expect(printed).not.toMatch(/<Buffer|StorageSharedKeyCredential/);
    expect(printed).toContain("BlobLeaser");
  });

  it("works with logger: console: a lost renewal is LeaseLost, not a TypeError of the logger", async () => {
    const sink = consoleSink();
    const a = BlobLeaser.fromConnectionString(blobConnectionString(proxy.endpoint), containerName, {
      clientOptions: blobQuickRetries,
      logger: sink,
    });
    a.setEventProcessorHost(hostInfo("a"));
    await a.ensureLease("0");
    await a.acquireLease("0");
    await leaser("b").acquireLease("0");
    expect((await rejection(a.renewLease("0"))).code).toBe("LeaseLost");
  });

  it("an acquisition that landed though its answer was lost and the SDK's retries failed is the host's", async () => {
    const a = leaser("a");
    const ensured = await a.ensureLease("0");
    proxy.resetLog();
    // The write lands, its answer is lost; the SDK's two retries are throttled. Did my write land?
    proxy.inject("lose-response", { status: 503, code: "ServerBusy" }, { status: 503, code: "ServerBusy" });
    const acquired = await a.acquireLease("0", { expectedVersion: ensured.version });
    expect(acquired).toMatchObject({ owner: "a", epoch: 1 });
    expect(proxy.seen.map((r) => `${r.method} ${r.comp}`.trim())).toEqual([
      "PUT metadata",
      "PUT metadata",
      "PUT metadata",
      "HEAD",
    ]);
    // The hold is on the landed write's version: the next renewal is one call.
    proxy.resetLog();
    expect(await a.renewLease("0")).toMatchObject({ owner: "a", epoch: 1 });
    expect(proxy.seen).toHaveLength(1);
  });
});
