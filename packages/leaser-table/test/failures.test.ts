import { inspect } from "node:util";
import { TableClient } from "@azure/data-tables";
import { AzureLogger, setLogLevel } from "@azure/logger";
import {
  AZURITE_ACCOUNT_KEY,
  type AzuriteInstance,
  consoleSink,
  exposed,
  type FaultProxy,
  freshTableName,
  hostInfo,
  rawTableClient,
  rejection,
  sasSignature,
  startAzurite,
  startFaultProxy,
  tableAccountSas,
  tableConnectionString,
  tableQuickRetries,
  tableSasConnectionString,
} from "@eph/testing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TableLeaser, TableRequestError } from "../src/index.js";

let azurite: AzuriteInstance;
let proxy: FaultProxy;
const logs: string[] = [];
beforeAll(async () => {
  azurite = await startAzurite();
  proxy = await startFaultProxy(azurite.tableEndpoint, { service: "table" });
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

let tableName: string;
beforeEach(async () => {
  tableName = freshTableName();
  await rawTableClient(azurite, tableName).createTable();
  proxy.clear();
  logs.length = 0;
});
afterEach(() => {
  proxy.clear();
});

/** A leaser whose requests go through the fault proxy. */
function leaser(hostName: string, connectionString = tableConnectionString(proxy.endpoint)): TableLeaser {
  const l = TableLeaser.fromConnectionString(connectionString, tableName, { clientOptions: tableQuickRetries });
  l.setEventProcessorHost(hostInfo(hostName));
  return l;
}

describe("transient failures", () => {
  it("maps throttling that outlasts the SDK's retries to StoreUnavailable, with the status as cause", async () => {
    const a = leaser("a");
    await a.ensureLease("0");
    await a.acquireLease("0");
    const before = proxy.seen.length;
    proxy.inject({ status: 503, code: "ServerBusy" }, { status: 503 }, { status: 503 });
    const error = await rejection(a.renewLease("0"));
    expect(error.code).toBe("StoreUnavailable");
    expect(error.message).toContain("503");
    expect(error.cause).toBeInstanceOf(TableRequestError);
    expect((error.cause as TableRequestError).statusCode).toBe(503);
    // One try and the client's two retries, then the read that tells whether the write landed after all.
    expect(proxy.seen.length - before).toBe(4);
    // The lease is still held: the next renewal succeeds.
    expect(await a.renewLease("0")).toMatchObject({ owner: "a", epoch: 1 });
  });

  it("lets the SDK retry a single 429 and succeeds", async () => {
    const a = leaser("a");
    await a.ensureLease("0");
    await a.acquireLease("0");
    proxy.inject({ status: 429, code: "TooManyRequests", headers: { "retry-after": "0" } });
    expect(await a.renewLease("0")).toMatchObject({ owner: "a", epoch: 1 });
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

  it("bounds retries by the caller's deadline: a Retry-After of an hour ends at the deadline", async () => {
    const a = leaser("a");
    await a.ensureLease("0");
    await a.acquireLease("0");
    proxy.always({ status: 503, code: "ServerBusy", headers: { "retry-after": "3600" } });
    const started = performance.now();
    const error = await rejection(a.renewLease("0", { abortSignal: AbortSignal.timeout(150) }));
    expect(error.code).toBe("Aborted");
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it("ends a hung request at the caller's deadline and stays usable", async () => {
    const a = leaser("a");
    await a.ensureLease("0");
    proxy.inject("hang");
    expect((await rejection(a.getLeases({ abortSignal: AbortSignal.timeout(150) }))).code).toBe("Aborted");
    expect(await a.getLeases()).toHaveLength(1);
  });

  it("maps a table being deleted (409 TableBeingDeleted) on ensureStore to StoreUnavailable", async () => {
    const a = leaser("a");
    proxy.always({ status: 409, code: "TableBeingDeleted" });
    expect((await rejection(a.ensureStore())).code).toBe("StoreUnavailable");
  });
});

describe("writes applied whose answer was lost", () => {
  it("adopts a renewal the table applied before the connection dropped", async () => {
    const a = leaser("a");
    const observer = leaser("observer");
    await a.ensureLease("0");
    await a.acquireLease("0");
    proxy.inject("lose-response");
    const before = proxy.seen.length;
    // The SDK retries the write with the old ETag and gets 412; the entity still holds a's owner and epoch.
    const renewed = await a.renewLease("0");
    // Applied-then-dropped write, the SDK's retry (412), and the read that finds a's owner and epoch at a
    // new version: the write of this call landed.
    expect(proxy.seen.length - before).toBe(3);
    expect(renewed).toMatchObject({ owner: "a", epoch: 1 });
    const [seen] = await observer.getLeases();
    expect(seen?.version).toBe(renewed.version);
    expect((await a.renewLease("0")).owner).toBe("a");
  });

  it("adopts an acquisition and a release the table applied before the connection dropped", async () => {
    const a = leaser("a");
    await a.ensureLease("0");
    proxy.inject("lose-response");
    expect(await a.acquireLease("0")).toMatchObject({ owner: "a", epoch: 1 });
    expect((await a.renewLease("0")).epoch).toBe(1);
    proxy.inject("lose-response");
    await a.releaseLease("0");
    expect((await leaser("observer").getLeases())[0]).toMatchObject({ owner: "", epoch: 1 });
  });

  it("still reports LeaseLost when the 412 came from another host", async () => {
    const a = leaser("a");
    await a.ensureLease("0");
    await a.acquireLease("0");
    await leaser("b").acquireLease("0");
    expect((await rejection(a.renewLease("0"))).code).toBe("LeaseLost");
    expect((await rejection(a.renewLease("0"))).code).toBe("LeaseLost");
  });
});

describe("the table deleted mid-run", () => {
  it("rejects StoreNotFound until ensureStore, then the partitions are claimed afresh", async () => {
    const a = leaser("a");
    const b = leaser("b");
    await Promise.all(["0", "1"].map((p) => a.ensureLease(p)));
    await a.acquireLease("0");
    await b.acquireLease("1");
    await rawTableClient(azurite, tableName).deleteTable();
    expect((await rejection(a.renewLease("0"))).code).toBe("StoreNotFound");
    expect((await rejection(b.getLeases())).code).toBe("StoreNotFound");
    expect((await rejection(b.ensureLease("1"))).code).toBe("StoreNotFound");
    expect(await a.storeExists()).toBe(false);
    await Promise.all([a.ensureStore(), b.ensureStore()]);
    await Promise.all(["0", "1"].map((p) => b.ensureLease(p)));
    // The old holds died with the table.
    expect((await rejection(a.renewLease("0"))).code).toBe("LeaseLost");
    expect((await b.acquireLease("0")).epoch).toBe(1);
    expect((await b.getLeases()).map((l) => l.owner).sort()).toEqual(["", "b"]);
  });

  it("lets many hosts create the table and the same leases at once", async () => {
    await rawTableClient(azurite, tableName).deleteTable();
    const hosts = Array.from({ length: 20 }, (_, i) => leaser(`h${i}`));
    await Promise.all(hosts.map((h) => h.ensureStore()));
    const ensured = await Promise.all(hosts.flatMap((h) => ["0", "1", "2"].map((p) => h.ensureLease(p))));
    const versions = new Map<string, Set<string>>();
    for (const l of ensured) versions.set(l.partitionId, (versions.get(l.partitionId) ?? new Set()).add(l.version));
    for (const set of versions.values()) expect(set.size).toBe(1);
    expect(await hosts[0]?.getLeases()).toHaveLength(3);
  });
});

describe("corrupt and foreign entities", () => {
  const foreign: Array<[string, Record<string, unknown>]> = [
    ["no owner", { epoch: 1n }],
    ["no epoch", { owner: "x" }],
    ["owner of the wrong type", { owner: 5, epoch: 1n }],
    ["epoch as a string", { owner: "x", epoch: "1" }],
    ["negative epoch", { owner: "x", epoch: -3 }],
    ["fractional epoch", { owner: "x", epoch: 1.5 }],
    ["epoch beyond 2^53", { owner: "x", epoch: 2n ** 60n }],
    ["epoch as a date", { owner: "x", epoch: new Date(0) }],
  ];

  it.each(foreign)("skips an entity with %s in getLeases and names it in per-partition errors", async (_, props) => {
    const a = leaser("a");
    await a.ensureLease("0");
    const partitionKey = "contoso.servicebus.windows.net orders $default eph-lease";
    await rawTableClient(azurite, tableName).createEntity({ partitionKey, rowKey: "9", ...props });
    expect((await a.getLeases()).map((l) => l.partitionId)).toEqual(["0"]);
    const calls = [
      () => a.ensureLease("9"),
      () => a.acquireLease("9"),
      () => a.acquireLease("9", { expectedVersion: "x" }),
    ];
    for (const call of calls) {
      const error = await rejection(call());
      expect(error.code).toBe("CorruptRecord");
      // Entities that are no record name their keys; records that hold no lease name the partition.
      expect(error.message).toMatch(/PartitionKey=".* eph-lease" RowKey="9"|lease record of partition "9"/);
      expect(error.partitionId).toBe("9");
    }
    await a.deleteLease("9");
    expect(await a.ensureLease("9")).toMatchObject({ owner: "", epoch: 0 });
  });

  it("skips an entity whose RowKey is not an escaped partition id", async () => {
    const a = leaser("a");
    await a.ensureLease("0");
    const partitionKey = "contoso.servicebus.windows.net orders $default eph-lease";
    await rawTableClient(azurite, tableName).createEntity({ partitionKey, rowKey: "bad!zz", owner: "", epoch: 0n });
    expect((await a.getLeases()).map((l) => l.partitionId)).toEqual(["0"]);
    expect(logs.some((line) => line.includes('RowKey="bad!zz"'))).toBe(true);
  });
});

describe("bad input", () => {
  it("rejects invalid table names, connection strings and partition ids with typed errors", async () => {
    expect(() => TableLeaser.fromConnectionString(tableConnectionString(proxy.endpoint), "a-b")).toThrow(
      expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining('"a-b"') }),
    );
    const garbage = `AccountName=x;AccountKey=${AZURITE_ACCOUNT_KEY};nonsense`;
    let thrown: unknown;
    try {
      TableLeaser.fromConnectionString(garbage, "table1");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: "InvalidConnectionString" });
    expect(exposed(thrown)).not.toContain(AZURITE_ACCOUNT_KEY);
    expect(() => new TableLeaser({} as TableClient)).toThrow(expect.objectContaining({ code: "InvalidOption" }));
    const a = leaser("a");
    for (const bad of ["", 7, undefined]) {
      expect((await rejection(a.ensureLease(bad as string))).code).toBe("InvalidOption");
    }
    expect((await rejection(a.acquireLease("0", { expectedVersion: "" }))).code).toBe("InvalidOption");
    expect(() => a.setEventProcessorHost({ ...hostInfo("a"), eventHubName: "" })).toThrow(
      expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("eventHubName") }),
    );
  });

  it("refuses plain http to a remote endpoint unless the caller asks for it", () => {
    const remote = `DefaultEndpointsProtocol=http;AccountName=x;AccountKey=${AZURITE_ACCOUNT_KEY};TableEndpoint=http://storage.example.com/x;`;
    let thrown: unknown;
    try {
      TableLeaser.fromConnectionString(remote, "table1");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: "InvalidConnectionString" });
    expect(exposed(thrown)).not.toContain(AZURITE_ACCOUNT_KEY);
    const https = TableLeaser.fromConnectionString(remote.replace(/http:/g, "https:"), "table1");
    expect(https.tableName).toBe("table1");
  });
});

describe("secrets", () => {
  it("keeps a SAS token out of errors and logs when calls fail", async () => {
    const sas = tableAccountSas();
    const sig = sasSignature(sas);
    const a = leaser("a", tableSasConnectionString(proxy.endpoint, sas));
    await a.ensureLease("0");
    proxy.always({ status: 503, code: "ServerBusy" });
    const errors = [await rejection(a.getLeases()), await rejection(a.acquireLease("0"))];
    proxy.clear();
    await rawTableClient(azurite, tableName).deleteTable();
    errors.push(await rejection(a.ensureLease("1")));
    // The SDK refuses plain http to a remote host before sending, quoting the URL, SAS included.
    const remote = TableClient.fromConnectionString(
      tableSasConnectionString("http://10.255.255.1:1/devstoreaccount1", sas),
      tableName,
    );
    const remoteLeaser = new TableLeaser(remote);
    remoteLeaser.setEventProcessorHost(hostInfo("a"));
    errors.push(await rejection(remoteLeaser.getLeases()));
    expect(errors.map((e) => e.code)).toEqual([
      "StoreUnavailable",
      "StoreUnavailable",
      "StoreNotFound",
      "StoreUnavailable",
    ]);
    expect(errors[3]?.message).toContain("?<redacted>");
    for (const error of errors) expect(exposed(error)).not.toContain(sig);
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) {
      expect(line).not.toContain(sig);
      expect(line).not.toContain(decodeURIComponent(sig));
    }
  });

  it("keeps an account key out of errors and logs when calls fail", async () => {
    const a = leaser("a");
    proxy.always({ status: 403, code: "AuthenticationFailed" });
    const error = await rejection(a.getLeases());
    expect(error.code).toBe("StoreUnavailable");
    expect(error.message).toContain("403");
    expect(exposed(error)).not.toContain(AZURITE_ACCOUNT_KEY);
    for (const line of logs) expect(line).not.toContain(AZURITE_ACCOUNT_KEY);
  });
});

// Issue 13: each of these failed on the table leaser before it ran on core's protocol.
describe("what users hand in and print", () => {
  it("does not show the account key or the client when printed with util.inspect", () => {
    const a = leaser("a", tableConnectionString(azurite.tableEndpoint));
    const printed = inspect(a, { depth: 10, showHidden: true });
    expect(printed).not.toContain(AZURITE_ACCOUNT_KEY);
    expect(printed).toContain("TableLeaser");
  });

  it("works with logger: console: a lost renewal is LeaseLost, not a TypeError of the logger", async () => {
    const a = TableLeaser.fromConnectionString(tableConnectionString(azurite.tableEndpoint), tableName, {
      logger: consoleSink(),
    });
    a.setEventProcessorHost(hostInfo("a"));
    await a.ensureLease("0");
    await a.acquireLease("0");
    await leaser("b").acquireLease("0");
    expect((await rejection(a.renewLease("0"))).code).toBe("LeaseLost");
  });

  it('refuses groupWrites: "false" with InvalidOption naming the option', () => {
    const client = rawTableClient(azurite, tableName);
    const bad = { groupWrites: "false" as unknown as boolean };
    expect(() => new TableLeaser(client, bad)).toThrow(
      expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("groupWrites") }),
    );
    expect(() =>
      TableLeaser.fromConnectionString(tableConnectionString(azurite.tableEndpoint), tableName, bad),
    ).toThrow(expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("groupWrites") }));
  });
});

describe("grouped writes and deadlines", () => {
  it("cancels a hung group once every caller gave up, and the holds stay valid", async () => {
    const a = leaser("a");
    await Promise.all(["0", "1", "2"].map((p) => a.ensureLease(p)));
    await Promise.all(["0", "1", "2"].map((p) => a.acquireLease(p)));
    proxy.inject("hang");
    const results = await Promise.allSettled(
      ["0", "1", "2"].map((p, i) => a.renewLease(p, { abortSignal: AbortSignal.timeout(50 + 50 * i) })),
    );
    expect(results.map((r) => (r.status === "rejected" ? r.reason.code : "ok"))).toEqual([
      "Aborted",
      "Aborted",
      "Aborted",
    ]);
    // The write never reached the table, so the ETags this leaser holds are still current.
    const renewed = await Promise.all(["0", "1", "2"].map((p) => a.renewLease(p)));
    expect(renewed.map((l) => l.owner)).toEqual(["a", "a", "a"]);
  });
});
