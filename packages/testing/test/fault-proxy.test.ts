import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { type FaultProxy, startFaultProxy } from "../src/index.js";

// A stand-in upstream that echoes what reached it: the proxy's behaviour does not depend on Azurite.
let upstream: Server;
let upstreamUrl: string;
const arrived: string[] = [];
const proxies: FaultProxy[] = [];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    arrived.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`upstream saw ${req.url}`);
  });
  upstream.listen(0, "127.0.0.1");
  await once(upstream, "listening");
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/devstoreaccount1`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  arrived.length = 0;
});

async function proxy(service: "blob" | "table"): Promise<FaultProxy> {
  const p = await startFaultProxy(upstreamUrl, { service });
  proxies.push(p);
  return p;
}

it("forwards requests to the target's path and records each one", async () => {
  const p = await proxy("blob");
  expect(p.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
  const response = await fetch(`${p.endpoint}/c/a%20b?comp=list&maxresults=5000`);
  expect(response.status).toBe(200);
  expect(await response.text()).toBe("upstream saw /devstoreaccount1/c/a%20b?comp=list&maxresults=5000");
  expect(p.seen).toEqual([{ method: "GET", path: "/devstoreaccount1/c/a b", comp: "list", maxResults: "5000" }]);
  p.resetLog();
  expect(p.seen).toEqual([]);
});

it("answers queued faults in order, lets 'pass' through, then forwards again", async () => {
  const p = await proxy("blob");
  p.inject("pass", { status: 503 }, { status: 500, code: "OperationTimedOut" });
  expect((await fetch(`${p.endpoint}/x`)).status).toBe(200);
  const busy = await fetch(`${p.endpoint}/x`);
  expect(busy.status).toBe(503);
  expect(busy.headers.get("x-ms-error-code")).toBe("ServerBusy");
  expect(await busy.text()).toContain("<Code>ServerBusy</Code>");
  const timedOut = await fetch(`${p.endpoint}/x`);
  expect(timedOut.headers.get("x-ms-error-code")).toBe("OperationTimedOut");
  await timedOut.text();
  expect((await fetch(`${p.endpoint}/x`)).status).toBe(200);
  expect(arrived).toHaveLength(2);
  expect(p.seen).toHaveLength(4);
});

it("shapes table faults as the odata JSON the table SDK parses", async () => {
  const p = await proxy("table");
  p.inject({ status: 409, code: "TableBeingDeleted", headers: { "retry-after": "1" } });
  const response = await fetch(`${p.endpoint}/Tables`);
  expect(response.status).toBe(409);
  expect(response.headers.get("retry-after")).toBe("1");
  expect(response.headers.get("x-ms-error-code")).toBeNull();
  expect(await response.json()).toEqual({
    "odata.error": { code: "TableBeingDeleted", message: { lang: "en-US", value: "Injected fault." } },
  });
  expect(arrived).toEqual([]);
});

it("keeps failing with 'always' until cleared", async () => {
  const p = await proxy("blob");
  p.always({ status: 429 });
  expect((await fetch(`${p.endpoint}/x`)).status).toBe(429);
  expect((await fetch(`${p.endpoint}/x`)).status).toBe(429);
  p.clear();
  expect((await fetch(`${p.endpoint}/x`)).status).toBe(200);
});

it("drops the connection on 'reset' without forwarding, and after forwarding on 'lose-response'", async () => {
  const p = await proxy("table");
  p.inject("reset");
  await expect(fetch(`${p.endpoint}/reset`)).rejects.toThrow();
  expect(arrived).toEqual([]);
  p.inject("lose-response");
  await expect(fetch(`${p.endpoint}/lost`)).rejects.toThrow();
  // The write a lost answer hides has reached the store.
  expect(arrived).toEqual(["GET /devstoreaccount1/lost"]);
});

it("rewrites the page size of listings only while a limit is set", async () => {
  const p = await proxy("blob");
  p.limitPageSize(2);
  await (await fetch(`${p.endpoint}/c?restype=container&comp=list&maxresults=5000`)).text();
  await (await fetch(`${p.endpoint}/c/blob?comp=metadata`)).text();
  p.limitPageSize(undefined);
  await (await fetch(`${p.endpoint}/c?comp=list&maxresults=5000`)).text();
  expect(arrived).toEqual([
    "GET /devstoreaccount1/c?restype=container&comp=list&maxresults=2",
    "GET /devstoreaccount1/c/blob?comp=metadata",
    "GET /devstoreaccount1/c?comp=list&maxresults=5000",
  ]);
  // What the client asked for is what is recorded.
  expect(p.seen.map((r) => r.maxResults)).toEqual(["5000", undefined, "5000"]);
});

it("holds a hung request until the client gives up, and closes with it pending", async () => {
  const p = await proxy("blob");
  p.inject("hang");
  await expect(fetch(`${p.endpoint}/x`, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
  expect(arrived).toEqual([]);
  p.inject("hang");
  const pending = fetch(`${p.endpoint}/y`).catch((error: unknown) => error);
  await expect.poll(() => p.seen.length).toBe(2);
  await p.close();
  expect(await pending).toBeInstanceOf(Error);
});
