import {
  type CloseReason,
  EventHubConsumerClient,
  EventHubProducerClient,
  earliestEventPosition,
  type Subscription,
} from "@azure/event-hubs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../src/index.js";
import { type ClientError, firstSubscribeError, quickRetry, until } from "./helpers.js";

let emu: Emulator;
let producer: EventHubProducerClient;
const clients: EventHubConsumerClient[] = [];

function consumer(): EventHubConsumerClient {
  const client = new EventHubConsumerClient("$Default", emu.connectionString("hub"), { retryOptions: quickRetry });
  clients.push(client);
  return client;
}

/** A subscription that records what happens to it. */
interface Reader {
  subscription: Subscription;
  events: unknown[];
  errors: ClientError[];
  closeReasons: CloseReason[];
}

function read(partitionId: string, ownerLevel?: number): Reader {
  const reader: Reader = { subscription: undefined as never, events: [], errors: [], closeReasons: [] };
  reader.subscription = consumer().subscribe(
    partitionId,
    {
      processEvents: async (events) => {
        reader.events.push(...events.map((e) => e.body));
      },
      processError: async (error) => {
        reader.errors.push(error as ClientError);
      },
      processClose: async (reason) => {
        reader.closeReasons.push(reason);
      },
    },
    {
      startPosition: earliestEventPosition,
      maxWaitTimeInSeconds: 0.1,
      retryOptions: quickRetry,
      ...(ownerLevel === undefined ? {} : { ownerLevel }),
    },
  );
  return reader;
}

/** Publishes until `reader` has received something, proving its link is attached. */
async function attached(reader: Reader, partitionId: string): Promise<void> {
  let n = 0;
  await until(async () => {
    if (reader.events.length > 0) return true;
    await producer.sendBatch([{ body: `probe-${n++}` }], { partitionId });
    return reader.events.length > 0;
  }, "the reader receives");
}

beforeAll(async () => {
  emu = await startEmulator({ hubs: { hub: 6 } });
  producer = new EventHubProducerClient(emu.connectionString("hub"));
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await producer.close();
  await emu.close();
});

describe("epochs (ownerLevel)", () => {
  it("a higher epoch takes the partition; the old reader gets ReceiverDisconnectedError", async () => {
    const first = read("0", 1);
    await attached(first, "0");
    const second = read("0", 2);
    await attached(second, "0");
    await until(() => first.errors.length > 0, "the first reader is disconnected");
    expect(first.errors[0]!.code).toBe("ReceiverDisconnectedError");
    await until(() => first.closeReasons.length > 0, "the first reader closes");
    expect(first.closeReasons).toEqual(["OwnershipLost"]);
    expect(second.errors).toEqual([]);
    await second.subscription.close();
  });

  it("an equal epoch also takes over (the newest reader wins)", async () => {
    const first = read("1", 5);
    await attached(first, "1");
    const second = read("1", 5);
    await attached(second, "1");
    await until(() => first.errors.length > 0, "the first reader is disconnected");
    expect(first.errors[0]!.code).toBe("ReceiverDisconnectedError");
    expect(second.errors).toEqual([]);
    await second.subscription.close();
  });

  it("a lower epoch is refused while a higher one reads", async () => {
    const owner = read("2", 7);
    await attached(owner, "2");
    const error = await firstSubscribeError(consumer(), "2", { ownerLevel: 3 });
    expect(error.code).toBe("ReceiverDisconnectedError");
    expect(error.message).toContain("higher epoch '7'");
    expect(owner.errors).toEqual([]);
    await owner.subscription.close();
  });

  it("a receiver without epoch is refused while an epoch receiver holds the partition", async () => {
    const owner = read("3", 1);
    await attached(owner, "3");
    const error = await firstSubscribeError(consumer(), "3");
    expect(error.code).toBe("ReceiverDisconnectedError");
    expect(owner.errors).toEqual([]);
    await owner.subscription.close();
  });

  it("an epoch receiver displaces receivers without epoch", async () => {
    const plain = read("4");
    await attached(plain, "4");
    const owner = read("4", 1);
    await attached(owner, "4");
    await until(() => plain.errors.length > 0, "the plain reader is disconnected");
    expect(plain.errors[0]!.code).toBe("ReceiverDisconnectedError");
    await owner.subscription.close();
  });

  it("allows five readers without epoch per partition and consumer group, refuses a sixth", async () => {
    const readers = Array.from({ length: 5 }, () => read("5"));
    for (const r of readers) await attached(r, "5");
    const error = await firstSubscribeError(consumer(), "5");
    expect(error.code).toBe("QuotaExceededError");
    expect(readers.every((r) => r.errors.length === 0)).toBe(true);
    await Promise.all(readers.map((r) => r.subscription.close()));
    // Closed readers free their places.
    const again = read("5");
    await attached(again, "5");
    expect(again.errors).toEqual([]);
    await again.subscription.close();
  });
});
