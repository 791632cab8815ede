import { EventHubConsumerClient, EventHubProducerClient } from "@azure/event-hubs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../src/index.js";
import { failureOf, firstSubscribeError, quickRetry } from "./helpers.js";

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({ hubs: { hub: 2, other: { partitions: 2, consumerGroups: ["cg1"] } } });
});
afterAll(async () => {
  await emu.close();
});

function missingHub(): string {
  return emu.connectionString("hub").replace("EntityPath=hub", "EntityPath=missing");
}

describe("unknown entities get the errors the client types", () => {
  it("sending to an unknown hub fails with MessagingEntityNotFoundError", async () => {
    const producer = new EventHubProducerClient(missingHub(), { retryOptions: quickRetry });
    try {
      const error = await failureOf(() => producer.sendBatch([{ body: 1 }], { partitionId: "0" }));
      expect(error.code).toBe("MessagingEntityNotFoundError");
    } finally {
      await producer.close();
    }
  });

  it("sending to an unknown partition fails with ArgumentOutOfRangeError", async () => {
    const producer = new EventHubProducerClient(emu.connectionString("hub"), { retryOptions: quickRetry });
    try {
      const error = await failureOf(() => producer.sendBatch([{ body: 1 }], { partitionId: "7" }));
      expect(error.code).toBe("ArgumentOutOfRangeError");
      expect(error.message).toContain("between 0 and 1");
    } finally {
      await producer.close();
    }
  });

  it("receiving from an unknown partition fails with ArgumentOutOfRangeError", async () => {
    const consumer = new EventHubConsumerClient("$Default", emu.connectionString("hub"), { retryOptions: quickRetry });
    try {
      const error = await firstSubscribeError(consumer, "5");
      expect(error.code).toBe("ArgumentOutOfRangeError");
    } finally {
      await consumer.close();
    }
  });

  it("receiving in an unknown consumer group fails with MessagingEntityNotFoundError", async () => {
    const consumer = new EventHubConsumerClient("nope", emu.connectionString("other"), { retryOptions: quickRetry });
    try {
      const error = await firstSubscribeError(consumer, "0");
      expect(error.code).toBe("MessagingEntityNotFoundError");
      expect(error.message).toContain("ConsumerGroups/nope");
    } finally {
      await consumer.close();
    }
  });

  it("accepts configured consumer groups ignoring case, and $Default always", async () => {
    for (const group of ["cg1", "CG1", "$Default", "$default"]) {
      const consumer = new EventHubConsumerClient(group, emu.connectionString("other"), { retryOptions: quickRetry });
      try {
        const producer = new EventHubProducerClient(emu.connectionString("other"));
        await producer.sendBatch([{ body: group }], { partitionId: "1" });
        await producer.close();
        let received = 0;
        await new Promise<void>((resolve, reject) => {
          const subscription = consumer.subscribe(
            "1",
            {
              processEvents: async (events) => {
                received += events.length;
                if (received > 0) subscription.close().then(resolve, reject);
              },
              processError: async (error) => {
                subscription.close().finally(() => reject(error));
              },
            },
            { startPosition: { sequenceNumber: 0, isInclusive: true }, maxWaitTimeInSeconds: 0.1 },
          );
        });
        expect(received).toBeGreaterThan(0);
      } finally {
        await consumer.close();
      }
    }
  });

  it("receiving from an unknown hub fails with MessagingEntityNotFoundError", async () => {
    const consumer = new EventHubConsumerClient("$Default", missingHub(), { retryOptions: quickRetry });
    try {
      const error = await firstSubscribeError(consumer, "0");
      expect(error.code).toBe("MessagingEntityNotFoundError");
    } finally {
      await consumer.close();
    }
  });
});
