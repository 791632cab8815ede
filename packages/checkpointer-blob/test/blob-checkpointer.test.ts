import { inspect } from "node:util";
import { AzureLogger, setLogLevel } from "@azure/logger";
import type { ContainerClient } from "@azure/storage-blob";
import type { Checkpoint } from "@eph/core";
import {
  AZURITE_ACCOUNT_KEY,
  type AzuriteInstance,
  blobAccountSas,
  blobConnectionString,
  blobQuickRetries,
  blobSasConnectionString,
  consoleSink,
  containerSas,
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
import { BlobCheckpointer, type BlobRequestError } from "../src/index.js";

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

const prefix = "contoso.servicebus.windows.net/orders/$default/checkpoint/";

/** A checkpointer whose requests go through the fault proxy. */
function checkpointer(hostName: string, connectionString = blobConnectionString(proxy.endpoint)): BlobCheckpointer {
  const c = BlobCheckpointer.fromConnectionString(connectionString, containerName, { clientOptions: blobQuickRetries });
  c.setEventProcessorHost(hostInfo(hostName));
  return c;
}

function at(sequenceNumber: number): Checkpoint {
  return {
    offset: String(sequenceNumber * 10),
    sequenceNumber,
    enqueuedTime: new Date(Date.UTC(2024, 0, 1) + sequenceNumber),
  };
}

function calls(): string[] {
  return proxy.seen.map((r) => `${r.method} ${r.comp}`.trim());
}

describe("layout", () => {
  it("stores one empty blob per partition with fence and position in metadata", async () => {
    const c = checkpointer("a");
    await c.ensureCheckpoint("0", { epoch: 2 });
    const empty = await raw.getBlockBlobClient(`${prefix}0`).getProperties();
    // No position yet: offset "-1" (official readers start at the beginning) and, without the host's
    // last enqueued sequence number, sequencenumber "-1" (see keda.test.ts).
    expect(empty.metadata).toEqual({ ephformat: "1", ephfence: "2", sequencenumber: "-1", offset: "-1" });
    expect(empty.contentLength).toBe(0);
    await c.updateCheckpoint("0", at(5), { epoch: 3 });
    const written = await raw.getBlockBlobClient(`${prefix}0`).getProperties();
    expect(written.metadata).toEqual({
      ephformat: "1",
      ephfence: "3",
      sequencenumber: "5",
      offset: "50",
      ephenqueuedtime: "2024-01-01T00:00:00.005Z",
    });
  });
});

describe("cost", () => {
  it("a writer's usual checkpoint is one call; reads and no-op ensures are one call", async () => {
    const c = checkpointer("a");
    await c.ensureCheckpoint("0", { epoch: 1 });
    expect(calls(), "ensure of a new record: read, look for a legacy record, create").toEqual(["HEAD", "HEAD", "PUT"]);
    proxy.resetLog();
    for (let seq = 1; seq <= 20; seq++) await c.updateCheckpoint("0", at(seq), { epoch: 1 });
    expect(calls()).toEqual(Array(20).fill("PUT metadata"));
    proxy.resetLog();
    await c.ensureCheckpoint("0", { epoch: 1 });
    await c.getCheckpoint("0");
    expect(calls()).toEqual(["HEAD", "HEAD"]);
  });

  it("a writer without a cached ETag reads once, then writes; a lost condition costs one read more", async () => {
    const a = checkpointer("a");
    const b = checkpointer("b");
    await a.ensureCheckpoint("0", { epoch: 1 });
    await a.updateCheckpoint("0", at(1), { epoch: 1 });
    proxy.resetLog();
    await b.updateCheckpoint("0", at(2), { epoch: 1 });
    expect(calls()).toEqual(["HEAD", "PUT metadata"]);
    proxy.resetLog();
    await a.updateCheckpoint("0", at(3), { epoch: 1 });
    expect(calls(), "a's cached ETag is stale").toEqual(["PUT metadata", "HEAD", "PUT metadata"]);
  });
});

describe("corrupt and foreign blobs", () => {
  const foreign: Array<[string, Record<string, string>]> = [
    ["no metadata", {}],
    ["no fence", { sequencenumber: "1", offset: "1", ephenqueuedtime: "2024-01-01T00:00:00.000Z" }],
    ["a negative fence", { ephfence: "-1", sequencenumber: "-1", offset: "-1" }],
    ["a position without a time", { ephfence: "1", sequencenumber: "1", offset: "1" }],
    ["no position and no sequence number", { ephfence: "1", offset: "-1" }],
    [
      "a sequence number that is not a number",
      { ephfence: "1", sequencenumber: "x", offset: "1", ephenqueuedtime: "2024-01-01T00:00:00.000Z" },
    ],
    ["a time that is not a time", { ephfence: "1", sequencenumber: "1", offset: "1", ephenqueuedtime: "yesterday" }],
  ];

  it.each(foreign)("names a blob with %s in a CorruptRecord error; deleting it recovers", async (_, metadata) => {
    const c = checkpointer("a");
    await raw.getBlockBlobClient(`${prefix}9`).upload("x", 1, { metadata });
    for (const call of [
      () => c.getCheckpoint("9"),
      () => c.ensureCheckpoint("9", { epoch: 1 }),
      () => c.updateCheckpoint("9", at(1), { epoch: 1 }),
    ]) {
      const error = await rejection(call());
      expect(error.code).toBe("CorruptRecord");
      expect(error.message).toContain('checkpoint record of partition "9" of event hub "orders"');
      expect(error.partitionId).toBe("9");
    }
    await c.deleteCheckpoint("9");
    await c.updateCheckpoint("9", at(1), { epoch: 1 });
    expect(await c.getCheckpoint("9")).toEqual(at(1));
  });
});

describe("credentials", () => {
  it("works with a SAS scoped to the container, which may not create it or read its properties", async () => {
    const c = checkpointer("a", blobSasConnectionString(proxy.endpoint, containerSas(containerName)));
    expect(await c.storeExists()).toBe(true);
    await c.ensureStore();
    await c.ensureCheckpoint("0", { epoch: 1 });
    await c.updateCheckpoint("0", at(3), { epoch: 1 });
    expect(await c.getCheckpoint("0")).toEqual(at(3));
  });
});

describe("bad input", () => {
  it("rejects malformed checkpoints, epochs and layouts before any network call", async () => {
    const c = checkpointer("a");
    const bad: Array<[string, unknown]> = [
      ["offset", { ...at(1), offset: "" }],
      ["offset", { ...at(1), offset: " 10" }],
      ["offset", { ...at(1), offset: "é" }],
      ["offset", { ...at(1), offset: 10 }],
      ["sequenceNumber", { ...at(1), sequenceNumber: -1 }],
      ["sequenceNumber", { ...at(1), sequenceNumber: 1.5 }],
      ["sequenceNumber", { ...at(1), sequenceNumber: 2 ** 60 }],
      ["enqueuedTime", { ...at(1), enqueuedTime: new Date(Number.NaN) }],
      ["enqueuedTime", { ...at(1), enqueuedTime: "2024-01-01" }],
      ["object", undefined],
    ];
    for (const [what, checkpoint] of bad) {
      const error = await rejection(c.updateCheckpoint("0", checkpoint as Checkpoint, { epoch: 1 }));
      expect(error.code, what).toBe("InvalidOption");
      expect(error.message, what).toContain(what);
    }
    for (const epoch of [-1, 1.5, Number.NaN, "1", undefined]) {
      expect((await rejection(c.updateCheckpoint("0", at(1), { epoch: epoch as number }))).code).toBe("InvalidOption");
    }
    expect((await rejection(c.ensureCheckpoint("0", { epoch: -2 }))).code).toBe("InvalidOption");
    for (const pid of ["", "x".repeat(1100), 7]) {
      expect((await rejection(c.getCheckpoint(pid as string))).code).toBe("InvalidOption");
    }
    expect(() =>
      BlobCheckpointer.fromConnectionString(blobConnectionString(proxy.endpoint), containerName, {
        layout: "official" as "eph",
      }),
    ).toThrow(expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("layout") }));
    expect(() => BlobCheckpointer.fromConnectionString(blobConnectionString(proxy.endpoint), "No_Such")).toThrow(
      expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining('"No_Such"') }),
    );
    expect(proxy.seen).toHaveLength(0);
  });
});

describe("failures", () => {
  it("maps throttling beyond the SDK's retries to StoreUnavailable; the next write reads once, then writes", async () => {
    const c = checkpointer("a");
    await c.updateCheckpoint("0", at(1), { epoch: 1 });
    proxy.resetLog();
    proxy.inject({ status: 503 }, { status: 503 }, { status: 503 });
    const error = await rejection(c.updateCheckpoint("0", at(2), { epoch: 1 }));
    expect(error.code).toBe("StoreUnavailable");
    expect((error.cause as BlobRequestError).statusCode).toBe(503);
    expect(proxy.seen).toHaveLength(3);
    proxy.resetLog();
    // The failed write's answer may have been lost: the cache is dropped and the record read again.
    await c.updateCheckpoint("0", at(2), { epoch: 1 });
    expect(calls()).toEqual(["HEAD", "PUT metadata"]);
  });

  it("a write whose answer was lost is retried into success, never a false refusal", async () => {
    const c = checkpointer("a");
    proxy.inject("pass", "pass", "lose-response");
    await c.updateCheckpoint("0", at(1), { epoch: 1 }); // read: none; the record is created, the answer lost
    proxy.inject("lose-response");
    await c.updateCheckpoint("0", at(2), { epoch: 1 }); // the write lands, the retry meets its own ETag
    expect(await checkpointer("b").getCheckpoint("0")).toEqual(at(2));
    expect(proxy.seen.map((r) => `${r.method} ${r.comp}`.trim())).toEqual([
      "HEAD",
      "HEAD", // no record in the legacy layout either
      "PUT", // created; answer lost
      "PUT", // the SDK's retry: 409, it exists
      "HEAD", // read: our own position, an idempotent success without a write
      "PUT metadata", // position 2 lands; answer lost
      "PUT metadata", // the SDK's retry: 412
      "HEAD", // read: our own position again
      "HEAD", // b's read
    ]);
    await c.updateCheckpoint("0", at(3), { epoch: 1 });
    expect(await c.getCheckpoint("0")).toEqual(at(3));
  });

  it("ends a hung request at the caller's deadline with Aborted", async () => {
    const c = checkpointer("a");
    await c.updateCheckpoint("0", at(1), { epoch: 1 });
    proxy.inject("hang");
    const error = await rejection(c.updateCheckpoint("0", at(2), { epoch: 1, abortSignal: AbortSignal.timeout(150) }));
    expect(error.code).toBe("Aborted");
    await c.updateCheckpoint("0", at(2), { epoch: 1 });
    expect(await c.getCheckpoint("0")).toEqual(at(2));
  });

  it("a deleted container rejects StoreNotFound; after ensureStore positions start afresh", async () => {
    const c = checkpointer("a");
    await c.updateCheckpoint("0", at(7), { epoch: 4 });
    await raw.delete();
    expect((await rejection(c.updateCheckpoint("0", at(8), { epoch: 4 }))).code).toBe("StoreNotFound");
    expect((await rejection(c.ensureCheckpoint("0", { epoch: 4 }))).code).toBe("StoreNotFound");
    await Promise.all(Array.from({ length: 10 }, (_, i) => checkpointer(`h${i}`).ensureStore()));
    expect(await c.ensureCheckpoint("0", { epoch: 4 })).toBeUndefined();
    await c.updateCheckpoint("0", at(1), { epoch: 4 });
    expect(await c.getCheckpoint("0")).toEqual(at(1));
  });

  it("keeps a SAS token and an account key out of errors and logs", async () => {
    const sas = blobAccountSas();
    const sig = sasSignature(sas);
    const c = checkpointer("a", blobSasConnectionString(proxy.endpoint, sas));
    await c.updateCheckpoint("0", at(1), { epoch: 1 });
    proxy.always({ status: 503, code: "ServerBusy" });
    const errors = [
      await rejection(c.getCheckpoint("0")),
      await rejection(c.updateCheckpoint("0", at(2), { epoch: 1 })),
    ];
    proxy.always({ status: 403, code: "AuthenticationFailed" });
    errors.push(await rejection(checkpointer("b").getCheckpoint("0")));
    proxy.clear();
    await raw.delete();
    errors.push(await rejection(c.ensureCheckpoint("1")));
    expect(errors.map((e) => e.code)).toEqual([
      "StoreUnavailable",
      "StoreUnavailable",
      "StoreUnavailable",
      "StoreNotFound",
    ]);
    expect(logs.length).toBeGreaterThan(0);
    for (const text of [...errors.map(exposed), ...logs]) {
      expect(text).not.toContain(sig);
      expect(text).not.toContain(encodeURIComponent(sig));
      expect(text).not.toContain(AZURITE_ACCOUNT_KEY);
    }
  });
});

// Issue 13: each of these failed on the blob checkpointer before it ran on core's protocol.
describe("what users hand in and print", () => {
  it("does not show the account key or its bytes when printed with util.inspect", () => {
    const c = checkpointer("h", blobConnectionString(azurite.blobEndpoint));
    const printed = inspect(c, { depth: 10, showHidden: true });
    for (const secret of keyForms(AZURITE_ACCOUNT_KEY)) expect(printed).not.toContain(secret);
    expect(printed).not.toMatch(/<Buffer|StorageSharedKeyCredential/);
    expect(printed).toContain("BlobCheckpointer");
  });

  it.each([
    ["year 10000", new Date(Date.UTC(10000, 0, 1))],
    ["year -1", new Date(Date.UTC(-1, 0, 1))],
  ])("refuses an enqueuedTime in %s with InvalidOption naming it, and stores nothing", async (_, enqueuedTime) => {
    const c = checkpointer("a");
    await c.updateCheckpoint("0", at(1), { epoch: 1 });
    proxy.resetLog();
    const error = await rejection(c.updateCheckpoint("0", { ...at(2), enqueuedTime }, { epoch: 1 }));
    expect(error.code).toBe("InvalidOption");
    expect(error.message).toContain("enqueuedTime");
    expect(proxy.seen).toHaveLength(0);
    // The partition stays readable and writable.
    expect(await checkpointer("b").getCheckpoint("0")).toEqual(at(1));
    await c.updateCheckpoint("0", at(3), { epoch: 1 });
    expect(await checkpointer("b").getCheckpoint("0")).toEqual(at(3));
  });

  it("works with logger: console: a fenced write is CheckpointFenced, not a TypeError of the logger", async () => {
    const c = BlobCheckpointer.fromConnectionString(blobConnectionString(proxy.endpoint), containerName, {
      clientOptions: blobQuickRetries,
      logger: consoleSink(),
    });
    c.setEventProcessorHost(hostInfo("a"));
    await c.updateCheckpoint("0", at(1), { epoch: 1 });
    // A new owner raises the fence behind this writer's cached ETag: its write is refused.
    await checkpointer("b").ensureCheckpoint("0", { epoch: 2 });
    expect((await rejection(c.updateCheckpoint("0", at(2), { epoch: 1 }))).code).toBe("CheckpointFenced");
  });
});
