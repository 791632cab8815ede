import { createServer } from "node:net";
import { AzureNamedKeyCredential, AzureSASCredential } from "@azure/core-auth";
import { BlobCheckpointer } from "@eph/checkpointer-blob";
import type { Checkpointer, EphError, Leaser } from "@eph/core";
import { BlobLeaser } from "@eph/leaser-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConnectionString } from "../src/connection-string.js";
import { qualifyNamespace } from "../src/environment.js";
import { resolveHostOptions } from "../src/host-options.js";
import { EventProcessorHost, type EventProcessorHostOptions } from "../src/index.js";
import { type Emulator, memoryStores, startEmulator } from "./helpers.js";

const key = "c2VjcmV0LWtleS10aGF0LW11c3Qtbm90LWxlYWs=";
const sig = "S3cr3tS1gnatureValue%2BMustNotLeak%3D";
const valid = `Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=${key};EntityPath=hub`;

async function rejection(promise: Promise<unknown>): Promise<EphError> {
  try {
    await promise;
  } catch (error) {
    return error as EphError;
  }
  throw new Error("expected a rejection");
}

function expectNoSecret(error: unknown): void {
  const text = `${String(error)} ${JSON.stringify(error)} ${(error as Error).stack ?? ""} ${String((error as Error).cause ?? "")}`;
  expect(text).not.toContain(key);
  expect(text).not.toContain(sig);
  expect(text).not.toContain(decodeURIComponent(sig));
}

describe("connection strings", () => {
  it("parses the portal's format and writes it canonically", () => {
    const parsed = parseConnectionString(`${valid};`);
    expect(parsed.fullyQualifiedNamespace).toBe("contoso.servicebus.windows.net");
    expect(parsed.eventHubName).toBe("hub");
    expect(parsed.sharedAccessKeyName).toBe("listen");
    expect(parsed.useDevelopmentEmulator).toBe(false);
    expect(parsed.canonical).toBe(valid);
  });

  it("accepts a shared access signature and the emulator flag", () => {
    const parsed = parseConnectionString(
      `endpoint=sb://127.0.0.1:5672;SharedAccessSignature=SharedAccessSignature sr=x&sig=${sig}&se=1&skn=k;EntityPath=h;UseDevelopmentEmulator=true`,
    );
    expect(parsed.fullyQualifiedNamespace).toBe("127.0.0.1:5672");
    expect(parsed.useDevelopmentEmulator).toBe(true);
    expect(parsed.secrets).toHaveLength(1);
  });

  it.each([
    ["", /non-empty/],
    ["Endpoint=sb://contoso.servicebus.windows.net/;EntityPath=hub", /SharedAccessKeyName/],
    [valid.replace(";EntityPath=hub", ""), /EntityPath/],
    [valid.replace("sb://contoso.servicebus.windows.net/", "https://contoso"), /Endpoint/],
    [valid.replace("Endpoint=sb://contoso.servicebus.windows.net/;", ""), /no "Endpoint"/],
    [`${valid};Bogus=1`, /unknown setting "Bogus"/],
    [`${valid};EntityPath=other`, /more than once/],
    [valid.replace("EntityPath=hub", "EntityPath=bad hub!"), /EntityPath/],
    [`${valid};UseDevelopmentEmulator=yes`, /UseDevelopmentEmulator/],
    [`${valid};SharedAccessSignature=SharedAccessSignature sig=${sig}`, /either/],
    [`Endpoint=sb://a.b/;${key};EntityPath=h`, /Segment 2/],
  ])("rejects %j with a typed error that does not echo secrets", (text, message) => {
    let caught: unknown;
    try {
      parseConnectionString(text);
    } catch (error) {
      caught = error;
    }
    expect((caught as EphError).code).toBe("InvalidConnectionString");
    expect((caught as Error).message).toMatch(message);
    expectNoSecret(caught);
  });
});

describe("namespaces", () => {
  it("completes a bare name with the environment's suffix", () => {
    expect(qualifyNamespace("contoso", undefined)).toBe("contoso.servicebus.windows.net");
    expect(qualifyNamespace("contoso", "AzureChinaCloud")).toBe("contoso.servicebus.chinacloudapi.cn");
    expect(qualifyNamespace("contoso", "AzureUSGovernmentCloud")).toBe("contoso.servicebus.usgovcloudapi.net");
    expect(qualifyNamespace("contoso", { serviceBusEndpointSuffix: "servicebus.example.net" })).toBe(
      "contoso.servicebus.example.net",
    );
    expect(qualifyNamespace("sb://contoso.servicebus.windows.net/", "AzureChinaCloud")).toBe(
      "contoso.servicebus.windows.net",
    );
  });

  it("rejects bad namespaces and environments", () => {
    expect(() => qualifyNamespace("", undefined)).toThrow(/namespace/);
    expect(() => qualifyNamespace("con toso", undefined)).toThrow(/namespace/);
    expect(() => qualifyNamespace("contoso", "AzureMoonCloud" as never)).toThrow(/environment/);
  });
});

describe("creating a host", () => {
  let emu: Emulator;
  const stores = memoryStores();
  const leaser = (): Leaser => stores.leaser();
  const checkpointer = (): Checkpointer => stores.checkpointer();
  beforeAll(async () => {
    emu = await startEmulator({ hubs: { hub: 2 } });
  });
  afterAll(async () => {
    await emu?.close();
  });

  const badOptions: [EventProcessorHostOptions, RegExp][] = [
    [{ leaseDuration: 1000, renewalInterval: 2000 }, /leaseDuration/],
    [{ scanInterval: -1 }, /scanInterval/],
    [{ maxBatchSize: 0 }, /maxBatchSize/],
    [{ maxBatchSize: 50, prefetchCount: 10 }, /prefetchCount/],
    [{ checkpoint: { everyEvents: 0 } }, /checkpoint.everyEvents/],
    [{ checkpoint: { mode: "sometimes" as never } }, /checkpoint.mode/],
    [{ handlerRetry: { maxAttempts: 1.5 } }, /handlerRetry.maxAttempts/],
    [{ onHandlerFailure: "ignore" as never }, /onHandlerFailure/],
    [{ handlerTimeout: 0 }, /handlerTimeout/],
    [{ initialPosition: "beginning" as never }, /initialPosition/],
    [{ initialPosition: { sequenceNumber: -3 } }, /initialPosition.sequenceNumber/],
    [{ consumerGroup: "bad group" }, /consumerGroup/],
    [{ hostName: "" }, /hostName/],
    [{ handoffTimeout: 120_000 }, /handoffTimeout/],
    [{ leaseUpkeep: "pulse" as never }, /leaseUpkeep/],
    [{ onError: "log" as never }, /onError/],
    [{ logger: {} as never }, /logger/],
    [{ trackLastEnqueuedEventProperties: "yes" as never }, /trackLastEnqueuedEventProperties/],
    [{ leaseDuraton: 5000 } as never, /Unknown option "leaseDuraton"/],
  ];

  it.each(badOptions)("rejects options %j naming the option", async (options, message) => {
    const error = await rejection(
      EventProcessorHost.fromConnectionString(emu.connectionString("hub"), leaser(), checkpointer(), options),
    );
    expect(error.code).toBe("InvalidOption");
    expect(error.message).toMatch(message);
  });

  it("waits on a planned move for the previous owner's next scan with heartbeats, its next renewal per partition", () => {
    const timing = { leaseDuration: 30_000, renewalInterval: 2_000, scanInterval: 4_000, operationTimeout: 500 };
    expect(resolveHostOptions(timing).timing.leaseUpkeep).toBe("heartbeat");
    expect(resolveHostOptions(timing).handoffTimeout).toBe(4_000 + 2 * 500);
    expect(resolveHostOptions({ ...timing, leaseUpkeep: "perPartition" }).handoffTimeout).toBe(2_000 + 2 * 500);
  });

  it("rejects stores that are not a Leaser / Checkpointer", async () => {
    const error = await rejection(
      EventProcessorHost.fromConnectionString(emu.connectionString("hub"), {} as Leaser, checkpointer()),
    );
    expect(error.code).toBe("InvalidOption");
    expect(error.message).toMatch(/leaser/);
  });

  it("an unknown hub is HubNotFound, naming the hub and where its name came from", async () => {
    const text = emu.connectionString("hub").replace("EntityPath=hub", "EntityPath=nope");
    const error = await rejection(EventProcessorHost.fromConnectionString(text, leaser(), checkpointer()));
    expect(error.code).toBe("HubNotFound");
    expect(error.message).toMatch(
      /event hub "nope" does not exist in namespace "127\.0\.0\.1:\d+" \(check the connection string's EntityPath\)/,
    );
  });

  it("a refused or dropped Event Hubs connection is HubUnavailable naming the endpoint, without secrets", async () => {
    const dropping = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => dropping.listen(0, "127.0.0.1", resolve));
    const droppingPort = (dropping.address() as { port: number }).port;
    const refused = createServer();
    await new Promise<void>((resolve) => refused.listen(0, "127.0.0.1", resolve));
    const refusedPort = (refused.address() as { port: number }).port;
    await new Promise<void>((resolve) => refused.close(() => resolve()));
    try {
      for (const port of [refusedPort, droppingPort]) {
        for (const text of [
          `Endpoint=sb://127.0.0.1:${port}/;SharedAccessKeyName=k;SharedAccessKey=${key};EntityPath=hub;UseDevelopmentEmulator=true`,
          `Endpoint=sb://127.0.0.1:${port}/;SharedAccessSignature=SharedAccessSignature sr=a&sig=${sig}&se=9999999999&skn=k;EntityPath=hub;UseDevelopmentEmulator=true`,
        ]) {
          const error = await rejection(EventProcessorHost.fromConnectionString(text, leaser(), checkpointer()));
          expect(error.code).toBe("HubUnavailable");
          expect(error.message).toContain(
            `Could not reach Event Hubs namespace "127.0.0.1:${port}" to read the event hub "hub"`,
          );
          expectNoSecret(error);
        }
      }
      const viaCustom = await rejection(
        EventProcessorHost.fromConnectionString(emu.connectionString("hub"), leaser(), checkpointer(), {
          customEndpointAddress: `sb://127.0.0.1:${refusedPort}`,
        }),
      );
      expect(viaCustom.code).toBe("HubUnavailable");
      expect(viaCustom.message).toContain(
        `Event Hubs at "sb://127.0.0.1:${refusedPort}" (option "customEndpointAddress"`,
      );
    } finally {
      dropping.close();
    }
  });

  it("an unset connection string says which one: Event Hubs or storage, and the argument", async () => {
    const hubError = await rejection(
      EventProcessorHost.fromConnectionString(process.env.EPH_TEST_UNSET_VARIABLE as string, leaser(), checkpointer()),
    );
    expect(hubError.code).toBe("InvalidConnectionString");
    expect(hubError.message).toMatch(
      /^The Event Hubs connection string \(argument "connectionString" of EventProcessorHost\.fromConnectionString\) must be a non-empty string; got undefined/,
    );
    for (const make of [
      () => BlobLeaser.fromConnectionString(process.env.EPH_TEST_UNSET_VARIABLE as string, "eph"),
      () => BlobCheckpointer.fromConnectionString("", "eph"),
    ]) {
      let caught: unknown;
      try {
        make();
      } catch (error) {
        caught = error;
      }
      expect((caught as EphError).code).toBe("InvalidConnectionString");
      expect((caught as Error).message).toMatch(/^The Azure Storage connection string \(argument "connectionString"/);
    }
  });

  it("create() validates the namespace, hub name and credential", async () => {
    const cred = new AzureNamedKeyCredential("k", key);
    for (const [args, message] of [
      [["", "hub", cred], /namespace/],
      [["contoso", "bad hub", cred], /hubName/],
      [["contoso", "hub", { key }], /credential/],
    ] as const) {
      const error = await rejection(
        EventProcessorHost.create(args[0], args[1], args[2] as never, leaser(), checkpointer(), {
          environment: "AzurePublicCloud",
        }),
      );
      expect(error.code).toBe("InvalidOption");
      expect(error.message).toMatch(message);
      expectNoSecret(error);
    }
    const sas = new AzureSASCredential(`SharedAccessSignature sr=a&sig=${sig}&se=1&skn=k`);
    const error = await rejection(
      EventProcessorHost.create("contoso", "hub", sas, leaser(), checkpointer(), { scanInterval: 0 }),
    );
    expect(error.message).toMatch(/scanInterval/);
  });

  it("start() needs a handler; the host can be closed before it starts", async () => {
    const host = await EventProcessorHost.fromConnectionString(emu.connectionString("hub"), leaser(), checkpointer(), {
      noBanner: true,
    });
    const error = await rejection(host.startNonBlocking());
    expect(error.code).toBe("InvalidOption");
    expect(error.message).toMatch(/registerHandler/);
    expect(() => host.registerHandler("nope" as never)).toThrow(/handler/);
    await host.close();
    await host.close();
    expect(host.health().state).toBe("closed");
    expect((await rejection(host.start())).code).toBe("Closed");
  });

  it("writes the banner to the given output, and not with noBanner", async () => {
    const chunks: string[] = [];
    const host = await EventProcessorHost.fromConnectionString(emu.connectionString("hub"), leaser(), checkpointer(), {
      bannerOutput: { write: (text: string) => chunks.push(text) },
      hostName: "bannered",
    });
    host.registerHandler(async () => undefined);
    await host.startNonBlocking();
    await host.close();
    expect(chunks.join("")).toContain("bannered");
    expect(chunks.join("")).toContain("/hub");
    expect(chunks.join("")).not.toContain("SAS_KEY_VALUE");
  });
});
