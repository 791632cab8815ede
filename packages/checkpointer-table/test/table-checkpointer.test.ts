import { inspect } from "node:util";
import type { TableClient } from "@azure/data-tables";
import type { Checkpoint } from "@eph/core";
import {
  AZURITE_ACCOUNT_KEY,
  type AzuriteInstance,
  consoleSink,
  countCalls,
  type FaultProxy,
  freshTableName,
  hostInfo,
  rawTableClient,
  rejection,
  startAzurite,
  startFaultProxy,
  tableConnectionString,
  tableQuickRetries,
} from "@eph/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CheckpointLayout } from "../src/index.js";
import { TableCheckpointer } from "../src/index.js";

let azurite: AzuriteInstance;
let proxy: FaultProxy;
beforeAll(async () => {
  azurite = await startAzurite();
  proxy = await startFaultProxy(azurite.tableEndpoint, { service: "table" });
});
afterAll(async () => {
  await proxy.close();
  await azurite.close();
});

let tableName: string;
let raw: TableClient;
beforeEach(async () => {
  tableName = freshTableName();
  raw = rawTableClient(azurite, tableName);
  await raw.createTable();
  proxy.clear();
});

function checkpointer(layout: CheckpointLayout = "eph", endpoint = azurite.tableEndpoint) {
  const client = rawTableClient(azurite, tableName, endpoint);
  const calls = countCalls(client);
  const c = new TableCheckpointer(client, { layout });
  c.setEventProcessorHost(hostInfo("h"));
  return Object.assign(c, { calls });
}

const at = (sequenceNumber: number): Checkpoint => ({
  offset: String(sequenceNumber * 10),
  sequenceNumber,
  enqueuedTime: new Date(Date.UTC(2025, 0, 1) + sequenceNumber),
});

async function entities(): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const e of raw.listEntities()) {
    const { etag, timestamp, ...rest } = e as Record<string, unknown>;
    out.push(rest);
  }
  return out;
}

describe("eph layout", () => {
  it("stores fence and position in one entity keyed by namespace, hub and consumer group", async () => {
    const c = checkpointer();
    await c.ensureCheckpoint("3", { epoch: 4 });
    expect(await entities()).toEqual([
      {
        partitionKey: "contoso.servicebus.windows.net orders $default eph-checkpoint",
        rowKey: "3",
        format: "1",
        fence: "4",
      },
    ]);
    await c.updateCheckpoint("3", at(2 ** 40), { epoch: 5 });
    expect(await entities()).toEqual([
      {
        partitionKey: "contoso.servicebus.windows.net orders $default eph-checkpoint",
        rowKey: "3",
        format: "1",
        fence: "5",
        sequencenumber: String(2 ** 40),
        offset: String(2 ** 40 * 10),
        enqueuedtime: String(at(2 ** 40).enqueuedTime.getTime()),
      },
    ]);
  });
});

describe("calls", () => {
  it("costs one call per update in the steady state, three when another writer got in between", async () => {
    const c = checkpointer();
    await c.ensureCheckpoint("0", { epoch: 1 });
    c.calls.reset();
    for (let seq = 1; seq <= 5; seq++) await c.updateCheckpoint("0", at(seq), { epoch: 1 });
    expect(c.calls.total).toBe(5);
    await checkpointer().updateCheckpoint("0", at(6), { epoch: 1 });
    c.calls.reset();
    await c.updateCheckpoint("0", at(7), { epoch: 1 });
    expect(c.calls.byMethod).toEqual({ PUT: 2, GET: 1 }); // refused write, read, write
  });

  it("costs one read to ensure an existing checkpoint at a known epoch, two to raise the fence", async () => {
    const c = checkpointer();
    await c.ensureCheckpoint("0", { epoch: 1 });
    c.calls.reset();
    await c.ensureCheckpoint("0", { epoch: 1 });
    expect(c.calls.total).toBe(1);
    c.calls.reset();
    await c.ensureCheckpoint("0", { epoch: 2 });
    expect(c.calls.total).toBe(2);
  });
});

describe("corrupt and foreign entities", () => {
  const pk = "contoso.servicebus.windows.net orders $default eph-checkpoint";
  const position = { offset: "1", sequencenumber: "1", enqueuedtime: "0" };
  const foreign: Array<[string, Record<string, unknown>]> = [
    ["no format", { fence: "1", ...position }],
    ["a newer format", { format: "2", fence: "1" }],
    ["no fence", { format: "1", ...position }],
    ["a fence as an Int64", { format: "1", fence: 1n }],
    ["a negative fence", { format: "1", fence: "-1" }],
    ["a position without offset", { format: "1", fence: "1", sequencenumber: "1", enqueuedtime: "0" }],
    ["an Int64 sequence number", { format: "1", fence: "1", ...position, sequencenumber: 1n }],
    ["an enqueued time that is not a time", { format: "1", fence: "1", ...position, enqueuedtime: "yesterday" }],
    ["a negative sequence number", { format: "1", fence: "1", ...position, sequencenumber: "-5" }],
  ];

  it.each(foreign)("rejects CorruptRecord naming the entity for %s, and recovers after delete", async (_, props) => {
    const c = checkpointer();
    await raw.createEntity({ partitionKey: pk, rowKey: "4", ...props });
    const calls = [
      () => c.getCheckpoint("4"),
      () => c.ensureCheckpoint("4", { epoch: 1 }),
      () => c.updateCheckpoint("4", at(1), { epoch: 1 }),
    ];
    for (const call of calls) {
      const error = await rejection(call());
      expect(error.code).toBe("CorruptRecord");
      // Entities that are no record name their keys; records that hold no checkpoint name the partition.
      expect(error.message).toMatch(/RowKey="4"|checkpoint record of partition "4"/);
      expect(error.partitionId).toBe("4");
    }
    await c.deleteCheckpoint("4");
    await c.updateCheckpoint("4", at(1), { epoch: 1 });
    expect(await c.getCheckpoint("4")).toEqual(at(1));
  });
});

describe("failures", () => {
  it("maps throttling and timeouts to StoreUnavailable and recovers from a deleted table", async () => {
    const c = checkpointer("eph", proxy.endpoint);
    await c.ensureCheckpoint("0", { epoch: 1 });
    proxy.always({ status: 503, code: "ServerBusy" });
    expect((await rejection(c.updateCheckpoint("0", at(1), { epoch: 1 }))).code).toBe("StoreUnavailable");
    proxy.always({ status: 500, code: "OperationTimedOut" });
    expect((await rejection(c.getCheckpoint("0"))).code).toBe("StoreUnavailable");
    proxy.always("hang");
    const hung = await rejection(c.updateCheckpoint("0", at(1), { epoch: 1, abortSignal: AbortSignal.timeout(100) }));
    expect(hung.code).toBe("Aborted");
    proxy.clear();
    await c.updateCheckpoint("0", at(1), { epoch: 1 });
    await raw.deleteTable();
    expect((await rejection(c.updateCheckpoint("0", at(2), { epoch: 1 }))).code).toBe("StoreNotFound");
    await c.ensureStore();
    // The record died with the table: the next write starts it afresh.
    await c.updateCheckpoint("0", at(2), { epoch: 1 });
    expect(await c.getCheckpoint("0")).toEqual(at(2));
  });

  it("succeeds when an update was applied but its answer was lost, and the SDK's retry was refused", async () => {
    const c = checkpointer("eph", proxy.endpoint);
    await c.ensureCheckpoint("0", { epoch: 1 });
    await c.updateCheckpoint("0", at(1), { epoch: 1 });
    proxy.inject("lose-response");
    await c.updateCheckpoint("0", at(2), { epoch: 1 });
    expect(await checkpointer().getCheckpoint("0")).toEqual(at(2));
    await c.updateCheckpoint("0", at(3), { epoch: 1 });
  });

  it("lets many hosts create the table at once", async () => {
    await raw.deleteTable();
    const hosts = Array.from({ length: 20 }, () => checkpointer());
    await Promise.all(hosts.map((h) => h.ensureStore()));
    await Promise.all(hosts.map((h, i) => h.ensureCheckpoint(String(i), { epoch: i })));
    expect((await entities()).map((e) => e.fence).sort((x, y) => Number(x) - Number(y))).toEqual(
      hosts.map((_, i) => String(i)),
    );
  });
});

describe("bad input", () => {
  it("rejects invalid checkpoints, epochs and layouts with InvalidOption", async () => {
    const c = checkpointer();
    const bad: Array<[Checkpoint, number]> = [
      [{ ...at(1), sequenceNumber: -1 }, 1],
      [{ ...at(1), sequenceNumber: 1.5 }, 1],
      [{ ...at(1), offset: 5 as unknown as string }, 1],
      [{ ...at(1), enqueuedTime: new Date(Number.NaN) }, 1],
      [at(1), -1],
      [at(1), Number.NaN],
      [null as unknown as Checkpoint, 1],
    ];
    for (const [checkpoint, epoch] of bad) {
      expect((await rejection(c.updateCheckpoint("0", checkpoint, { epoch }))).code).toBe("InvalidOption");
    }
    expect((await rejection(c.ensureCheckpoint("0", { epoch: 0.5 }))).code).toBe("InvalidOption");
    expect(
      () => new TableCheckpointer(rawTableClient(azurite, tableName), { layout: "blob" as CheckpointLayout }),
    ).toThrow(expect.objectContaining({ code: "InvalidOption" }));
    expect(await entities()).toEqual([]);
  });

  it("refuses names the official layout cannot hold, and bad connection strings without quoting them", () => {
    const c = new TableCheckpointer(rawTableClient(azurite, tableName), { layout: "checkpointstore-table" });
    expect(() => c.setEventProcessorHost(hostInfo("h", { eventHubName: "a/b" }))).toThrow(
      expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("eventHubName") }),
    );
    let thrown: unknown;
    try {
      TableCheckpointer.fromConnectionString(`AccountKey=${AZURITE_ACCOUNT_KEY};junk`, "table1");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: "InvalidConnectionString" });
    expect(inspect(thrown, { depth: 10 })).not.toContain(AZURITE_ACCOUNT_KEY);
    const viaString = TableCheckpointer.fromConnectionString(tableConnectionString(azurite.tableEndpoint), tableName, {
      clientOptions: tableQuickRetries,
    });
    expect(viaString.tableName).toBe(tableName);
  });
});

// Issue 13: both failed on the table checkpointer before it ran on core's protocol.
describe("what users hand in and print", () => {
  it("does not show the account key or the client when printed with util.inspect", () => {
    const c = TableCheckpointer.fromConnectionString(tableConnectionString(azurite.tableEndpoint), tableName);
    c.setEventProcessorHost(hostInfo("h"));
    const printed = inspect(c, { depth: 10, showHidden: true });
    expect(printed).not.toContain(AZURITE_ACCOUNT_KEY);
    expect(printed).toContain("TableCheckpointer");
  });

  it("works with logger: console: a fenced write is CheckpointFenced, not a TypeError of the logger", async () => {
    const c = new TableCheckpointer(rawTableClient(azurite, tableName), {
      logger: consoleSink(),
    });
    c.setEventProcessorHost(hostInfo("h"));
    await c.updateCheckpoint("0", at(1), { epoch: 1 });
    // A new owner raises the fence behind this writer's cached ETag: its write is refused by the store.
    await checkpointer().ensureCheckpoint("0", { epoch: 2 });
    expect((await rejection(c.updateCheckpoint("0", at(2), { epoch: 1 }))).code).toBe("CheckpointFenced");
  });
});
