import { createServer } from "node:net";
import type { EphError } from "@eph/core";
import { EMULATOR_KEY, EMULATOR_KEY_NAME } from "@eph/hub-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventProcessorHost, type EventProcessorHostOptions } from "../src/index.js";
import { type Emulator, memoryStores, startEmulator, waitFor } from "./helpers.js";

async function rejection(promise: Promise<unknown>): Promise<EphError> {
  try {
    await promise;
  } catch (error) {
    return error as EphError;
  }
  throw new Error("expected a rejection");
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A WebSocket class that records how it was constructed, then fails to connect (no network at all). */
class RecordingWebSocket {
  static made: { url: string; protocols: unknown; options: unknown }[] = [];
  onerror: ((error: unknown) => void) | undefined;
  onclose: ((event: unknown) => void) | undefined;
  constructor(url: string, protocols?: unknown, options?: unknown) {
    RecordingWebSocket.made.push({ url, protocols, options });
    setImmediate(() => {
      this.onerror?.(new Error("connection refused by the test"));
      this.onclose?.({ code: 1006 });
    });
  }
  send(): void {}
  close(): void {}
}

describe("client options passed to @azure/event-hubs", () => {
  let emu: Emulator;
  const stores = memoryStores();
  beforeAll(async () => {
    emu = await startEmulator({ hubs: { hub: 2 } });
  });
  afterAll(async () => {
    await emu?.close();
  });

  const bad: [EventProcessorHostOptions, RegExp][] = [
    [{ webSocketOptions: {} as never }, /"webSocketOptions.webSocket"/],
    [{ webSocketOptions: { webSocket: "ws" } as never }, /"webSocketOptions.webSocket"/],
    [{ webSocketOptions: "ws" as never }, /"webSocketOptions"/],
    [
      { webSocketOptions: { webSocket: RecordingWebSocket, webSocketConstructorOptions: 3 } as never },
      /"webSocketOptions.webSocketConstructorOptions"/,
    ],
    [{ webSocketOptions: { webSocket: RecordingWebSocket, agent: {} } as never }, /"webSocketOptions.agent"/],
    [{ customEndpointAddress: "gateway.contoso.com" }, /"customEndpointAddress"/],
    [{ customEndpointAddress: "https://[::1]:443/" }, /"customEndpointAddress"/],
    [{ customEndpointAddress: "https://user:pw@gateway.contoso.com/" }, /"customEndpointAddress"/],
    [{ customEndpointAddress: 443 as never }, /"customEndpointAddress"/],
    [{ userAgent: "" }, /"userAgent"/],
    [{ userAgent: "app\n1.0" }, /"userAgent"/],
    [{ userAgent: "a".repeat(257) }, /"userAgent"/],
    [{ identifier: " " }, /"identifier"/],
    [{ identifier: 7 as never }, /"identifier"/],
  ];

  it.each(bad)("refuses %j naming the option", async (options, message) => {
    const error = await rejection(
      EventProcessorHost.fromConnectionString(emu.connectionString("hub"), stores.leaser(), stores.checkpointer(), {
        noBanner: true,
        ...options,
      }),
    );
    expect(error.code).toBe("InvalidOption");
    expect(error.message).toMatch(message);
  });

  it("customEndpointAddress is where the client connects, whatever host the connection string names", async () => {
    const port = await closedPort();
    const elsewhere = `Endpoint=sb://127.0.0.1:${port}/;SharedAccessKeyName=${EMULATOR_KEY_NAME};SharedAccessKey=${EMULATOR_KEY};EntityPath=hub;UseDevelopmentEmulator=true`;
    const host = await EventProcessorHost.fromConnectionString(elsewhere, stores.leaser(), stores.checkpointer(), {
      noBanner: true,
      customEndpointAddress: `sb://127.0.0.1:${emu.port}`,
    });
    expect(host.getPartitionIds()).toEqual(["0", "1"]);
    expect(host.fullyQualifiedNamespace).toBe(`127.0.0.1:${port}`);
    await host.close();
    // Without the option the same string reaches the closed port.
    const error = await rejection(
      EventProcessorHost.fromConnectionString(elsewhere, stores.leaser(), stores.checkpointer(), { noBanner: true }),
    );
    expect(error.name).toBe("EphError");
  });

  it("the service sees userAgent after eph's own; identifier is the client's", async () => {
    const host = await EventProcessorHost.fromConnectionString(
      emu.connectionString("hub"),
      stores.leaser(),
      stores.checkpointer(),
      { noBanner: true, userAgent: "orders-app/2.1", identifier: "orders-reader-7" },
    );
    host.registerHandler(async () => undefined);
    await host.startNonBlocking();
    try {
      await waitFor(() => host.partitionIdsBeingProcessed().length === 2, "both partitions receiving");
      const ours = emu.clients().find((c) => c.readerNames.length > 0);
      expect(ours?.userAgent).toMatch(/^azsdk-js-azureeventhubs\/\S+ \(.*\),eph-host orders-app\/2\.1$/);
      // @azure/event-hubs 6 names a single-partition receiver with a random id, so the identifier is not on
      // the wire; it is the client's own `identifier`.
      expect((host as unknown as { client: { identifier: string } }).client.identifier).toBe("orders-reader-7");
    } finally {
      await host.close();
    }
    const plain = await EventProcessorHost.fromConnectionString(
      emu.connectionString("hub"),
      stores.leaser(),
      stores.checkpointer(),
      { noBanner: true },
    );
    try {
      expect(emu.clients().map((c) => c.userAgent)).toContainEqual(expect.stringMatching(/\),eph-host$/));
    } finally {
      await plain.close();
    }
  });

  it("webSocketOptions connect with the given class to wss://<endpoint>:443/$servicebus/websocket", async () => {
    RecordingWebSocket.made = [];
    const agent = { proxy: "http://proxy.contoso.com:8080" };
    const text = `Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=${EMULATOR_KEY_NAME};SharedAccessKey=${EMULATOR_KEY};EntityPath=hub`;
    const error = await rejection(
      EventProcessorHost.fromConnectionString(text, stores.leaser(), stores.checkpointer(), {
        noBanner: true,
        webSocketOptions: { webSocket: RecordingWebSocket, webSocketConstructorOptions: { agent } },
      }),
    );
    expect(error.name).toBe("EphError");
    expect(RecordingWebSocket.made[0]).toEqual({
      url: "wss://contoso.servicebus.windows.net:443/$servicebus/websocket",
      protocols: ["AMQPWSB10"],
      options: { agent },
    });
    RecordingWebSocket.made = [];
    await rejection(
      EventProcessorHost.fromConnectionString(text, stores.leaser(), stores.checkpointer(), {
        noBanner: true,
        customEndpointAddress: "https://gateway.contoso.com:8443/",
        webSocketOptions: { webSocket: RecordingWebSocket },
      }),
    );
    expect(RecordingWebSocket.made[0]?.url).toBe("wss://gateway.contoso.com:8443/$servicebus/websocket");
  });
});
