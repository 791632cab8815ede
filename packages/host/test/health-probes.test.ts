import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EventLoopDelaySource, HealthProbes } from "../src/index.js";
import { type Emulator, memoryHost, memoryStores, Recorder, startEmulator, waitFor } from "./helpers.js";

/** An event-loop delay the test sets. */
function delaySource(): EventLoopDelaySource & { delay: number } {
  return {
    delay: 0,
    maxDelayInMs() {
      return this.delay;
    },
    reset() {
      this.delay = 0;
    },
    close() {},
  };
}

async function get(port: number, path: string, method = "GET") {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  const text = await res.text();
  return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
}

describe("health probes over HTTP", () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ hubs: { probes: 2, mounted: 1 } });
  });
  afterAll(async () => {
    await emu?.close();
  });

  it("follow the host from created to running to closed", async () => {
    const host = await memoryHost(emu, "probes", memoryStores(), new Recorder());
    const delay = delaySource();
    const probes = new HealthProbes(host, { eventLoopDelay: delay });
    const server = await probes.listen({ host: "127.0.0.1" });
    try {
      expect(await get(server.port, "/healthz")).toEqual({
        status: 200,
        body: { status: "ok", state: "created", reasons: [] },
      });
      expect(await get(server.port, "/readyz")).toEqual({
        status: 503,
        body: {
          status: "unavailable",
          state: "created",
          reasons: [`Host ${host.getName()} is created, not running.`],
        },
      });

      await host.startNonBlocking();
      await waitFor(() => host.health().lastScanAt !== undefined, "the first scan");
      expect((await get(server.port, "/readyz")).status).toBe(200);
      expect(await get(server.port, "/readyz", "HEAD")).toEqual({ status: 200, body: undefined });
      expect((await get(server.port, "/readyz", "POST")).status).toBe(405);
      expect((await get(server.port, "/other")).status).toBe(404);

      delay.delay = 12_000;
      const wedged = await get(server.port, "/healthz");
      expect(wedged.status).toBe(503);
      expect(wedged.body.reasons).toEqual(["The event loop was blocked for 12000 ms (limit 10000 ms)."]);
      // Each liveness probe measures the window since the previous one.
      expect((await get(server.port, "/healthz")).status).toBe(200);

      await host.close();
      expect((await get(server.port, "/healthz")).body).toEqual({
        status: "unavailable",
        state: "closed",
        reasons: [`Host ${host.getName()} is closed.`],
      });
      expect((await get(server.port, "/readyz")).status).toBe(503);
    } finally {
      await server.close();
      probes.close();
      await host.close();
    }
  });

  it("can be mounted in the user's own server, which keeps its other paths", async () => {
    const host = await memoryHost(emu, "mounted", memoryStores(), new Recorder());
    const probes = new HealthProbes(host);
    const server = createServer((req, res) => {
      if (!probes.handle(req, res)) res.writeHead(200).end(JSON.stringify({ app: true }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      expect(await get(port, "/healthz?verbose=1")).toMatchObject({ status: 200, body: { status: "ok" } });
      expect(await get(port, "/metrics")).toEqual({ status: 200, body: { app: true } });
    } finally {
      await new Promise((resolve) => server.close(resolve));
      probes.close();
      await host.close();
    }
  });

  it("refuses malformed thresholds with InvalidOption naming them", () => {
    const source = {
      health: () => {
        throw new Error("unused");
      },
    };
    expect(() => new HealthProbes(source, { maxScanAgeInMs: -1 })).toThrow(
      expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("maxScanAgeInMs") }),
    );
    expect(() => new HealthProbes({} as never)).toThrow(expect.objectContaining({ code: "InvalidOption" }));
  });
});
