import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventHubConsumerClient, EventHubProducerClient, earliestEventPosition } from "@azure/event-hubs";
import { describe, expect, it } from "vitest";
import { HubEmulatorError, startEmulator } from "../src/index.js";
import { until } from "./helpers.js";

describe("startEmulator options", () => {
  it.each([
    [{ hubs: {} }, "at least one hub"],
    [{ hubs: { hub: 0 } }, "positive integer"],
    [{ hubs: { hub: 2000 } }, "at most 1024"],
    [{ hubs: { "bad/name": 1 } }, "invalid"],
    [{ hubs: { Hub: 1, hub: 2 } }, "given twice"],
    [{ hubs: { hub: { partitions: 1, consumerGroups: ["bad group"] } } }, "consumer group"],
    [{ hubs: { hub: 1 }, port: 70000 }, "0-65535"],
    [{ hubs: { hub: 1 }, maxMessageSize: 0 }, "maxMessageSize"],
  ])("rejects %j naming the problem", async (options, message) => {
    const error = await startEmulator(options as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubEmulatorError);
    expect((error as HubEmulatorError).code).toBe("InvalidOptions");
    expect((error as Error).message).toContain(message);
  });

  it("reports a port already in use", async () => {
    const first = await startEmulator({ hubs: { hub: 1 } });
    try {
      const error = await startEmulator({ hubs: { hub: 1 }, port: first.port }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HubEmulatorError);
      expect((error as Error).message).toContain(`127.0.0.1:${first.port}`);
    } finally {
      await first.close();
    }
  });
});

describe("close", () => {
  it("returns promptly with clients connected, frees the port, and clients reconnect to a new emulator", async () => {
    // Durable, so the restarted emulator still knows the sequence number the consumer resumes after.
    const dataDir = mkdtempSync(join(tmpdir(), "eph-hub-emulator-"));
    const emu = await startEmulator({ hubs: { hub: 1 }, dataDir });
    const quick = { maxRetries: 5, retryDelayInMs: 20, maxRetryDelayInMs: 50, timeoutInMs: 1000 };
    const producer = new EventHubProducerClient(emu.connectionString("hub"), { retryOptions: quick });
    const consumer = new EventHubConsumerClient("$Default", emu.connectionString("hub"), { retryOptions: quick });
    const bodies: unknown[] = [];
    const subscription = consumer.subscribe(
      "0",
      {
        processEvents: async (events) => {
          bodies.push(...events.map((e) => e.body));
        },
        processError: async () => {},
      },
      { startPosition: earliestEventPosition, maxWaitTimeInSeconds: 0.1, retryOptions: quick },
    );
    await producer.sendBatch([{ body: "first" }]);
    await until(() => bodies.length === 1, "the consumer is reading");
    const port = emu.port;
    await emu.close();
    await emu.close();
    // Same port again: the old emulator released it.
    const again = await startEmulator({ hubs: { hub: 1 }, port, dataDir });
    try {
      await producer.sendBatch([{ body: "second life" }]);
      await until(() => bodies.length === 2, "the consumer is back");
      expect(bodies).toEqual(["first", "second life"]);
    } finally {
      await subscription.close();
      await Promise.all([producer.close(), consumer.close()]);
      await again.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 20_000);
});
