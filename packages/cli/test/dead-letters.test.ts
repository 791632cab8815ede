import { EventHubProducerClient } from "@azure/event-hubs";
import { BlobCheckpointer, BlobDeadLetterStore } from "@eph/checkpointer-blob";
import { EventProcessorHost } from "@eph/host";
import { BlobLeaser } from "@eph/leaser-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../src/exit-codes.js";
import { type LocalStack, startLocalStack } from "../src/local-stack.js";
import { testTiming } from "./hosts.js";
import { runEph, waitFor } from "./run-eph.js";

const hub = "dlq";
const container = "dl-leases";
let stack: LocalStack;
let env: Record<string, string>;
let host: EventProcessorHost | undefined;
const handled: { body: unknown; properties: Record<string, unknown> | undefined }[] = [];

beforeAll(async () => {
  stack = await startLocalStack({ hubs: { [hub]: 1 } });
  env = {
    EPH_EVENTHUB_CONNECTION_STRING: stack.eventHubConnectionString(hub),
    EPH_STORAGE_CONNECTION_STRING: stack.storageConnectionString,
    EPH_CONTAINER: container,
  };
  const cs = stack.storageConnectionString;
  host = await EventProcessorHost.fromConnectionString(
    stack.eventHubConnectionString(hub),
    BlobLeaser.fromConnectionString(cs, container),
    BlobCheckpointer.fromConnectionString(cs, container),
    {
      hostName: "dl-host",
      noBanner: true,
      ...testTiming,
      maxWaitTimeInSeconds: 1,
      handlerRetry: { maxAttempts: 2, initialDelay: 10, maxDelay: 20 },
      onHandlerFailure: "deadLetter",
      deadLetterStore: BlobDeadLetterStore.fromConnectionString(cs, container),
    },
  );
  // Fails on the order until it comes back replayed (the downstream "fixed" meanwhile).
  host.registerHandler((event) => {
    if ((event.body as { order?: number }).order === 7 && event.properties?.["eph-dead-letter"] === undefined) {
      throw new RangeError("order 7 has no price");
    }
    handled.push({ body: event.body, properties: event.properties });
  });
  await host.startNonBlocking();
  const producer = new EventHubProducerClient(stack.eventHubConnectionString(hub));
  try {
    await producer.sendBatch(
      [{ body: "e-0" }, { body: { order: 7 }, properties: { region: "eu", attempt: 1 } }, { body: "e-2" }],
      { partitionId: "0" },
    );
  } finally {
    await producer.close();
  }
  await waitFor(() => handled.length === 2, "the two good events");
});

afterAll(async () => {
  await host?.close();
  await stack?.close();
});

describe("eph dead-letters", () => {
  it("lists and shows the event the host gave up on", async () => {
    let rows: { id: string; errorName: string; errorMessage: string; hostName: string }[] = [];
    await waitFor(async () => {
      const run = await runEph(["dead-letters", "list", "--json"], env);
      rows = run.code === ExitCode.Ok ? JSON.parse(run.stdout) : [];
      return rows.length === 1;
    }, "the dead letter is listed");
    expect(rows[0]).toMatchObject({
      id: "0:1",
      errorName: "RangeError",
      errorMessage: "order 7 has no price",
      hostName: "dl-host",
    });
    const table = await runEph(["dead-letters", "list"], env);
    expect(table.stdout).toMatch(/^ID\s+ENQUEUED\s+DEAD-LETTERED\s+HOST\s+ERROR/);
    expect(table.stdout).toContain("RangeError: order 7 has no price");
    const shown = await runEph(["dead-letters", "show", "0:1"], env);
    expect(shown.code, shown.stderr).toBe(ExitCode.Ok);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      id: "0:1",
      partitionId: "0",
      sequenceNumber: 1,
      body: { order: 7 },
      properties: { region: "eu", attempt: 1 },
      error: { name: "RangeError", message: "order 7 has no price" },
    });
    const missing = await runEph(["dead-letters", "show", "0:99"], env);
    expect(missing.code).toBe(ExitCode.NotFound);
  });

  it("replays only when confirmed, with the original body and properties, then purges", async () => {
    const refused = await runEph(["dead-letters", "replay", "0:1"], env);
    expect(refused.code, "no terminal and no --yes").toBe(ExitCode.NotConfirmed);
    const usage = await runEph(["dead-letters", "replay", "--all", "--partition", "0", "--yes"], env);
    expect(usage.code).toBe(ExitCode.Usage);
    const replay = await runEph(["dead-letters", "replay", "0:1", "--purge", "--yes", "--json"], env);
    expect(replay.code, replay.stderr).toBe(ExitCode.Ok);
    expect(JSON.parse(replay.stdout)).toEqual([{ id: "0:1", outcome: "replayed", error: null }]);
    await waitFor(() => handled.length === 3, "the replayed event is handled");
    expect(handled[2]).toEqual({
      body: { order: 7 },
      properties: { region: "eu", attempt: 1, "eph-dead-letter": expect.stringMatching(/\/dlq\/\$Default\/0:1$/) },
    });
    const after = await runEph(["dead-letters", "list", "--json"], env);
    expect(JSON.parse(after.stdout)).toEqual([]);
    const purgeNothing = await runEph(["dead-letters", "purge", "--all", "--yes"], env);
    expect(purgeNothing.code).toBe(ExitCode.Ok);
    expect(purgeNothing.stderr).toContain("No dead letters");
  });
});
