import type { EventHubConsumerClient, EventPosition, ReceivedEventData, SubscribeOptions } from "@azure/event-hubs";

/** Fast client retries so error paths finish in milliseconds, not the SDK's default seconds. */
export const quickRetry = { maxRetries: 2, retryDelayInMs: 20, maxRetryDelayInMs: 50, timeoutInMs: 5000 };

/** Error as the Event Hubs client reports it. */
export interface ClientError extends Error {
  code?: string;
  retryable?: boolean;
  /** Set on the AggregateError the client throws when retries are exhausted. */
  errors?: ClientError[];
}

/** Runs `action` and returns the error it rejects with (fails the test when it resolves). */
export async function failureOf(action: () => Promise<unknown>): Promise<ClientError> {
  try {
    await action();
  } catch (error) {
    return error as ClientError;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/** Receives `count` events from one partition through `subscribe`, then closes the subscription. */
export async function receiveEvents(
  consumer: EventHubConsumerClient,
  partitionId: string,
  startPosition: EventPosition,
  count: number,
  options: SubscribeOptions = {},
  deadlineMs = 10_000,
): Promise<ReceivedEventData[]> {
  const received: ReceivedEventData[] = [];
  let subscription: { close(): Promise<void> } | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`received ${received.length} of ${count} events from partition ${partitionId}`)),
        deadlineMs,
      );
      subscription = consumer.subscribe(
        partitionId,
        {
          processEvents: async (events) => {
            received.push(...events);
            if (received.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
          processError: async (error) => {
            clearTimeout(timer);
            reject(error);
          },
        },
        { maxBatchSize: 100, maxWaitTimeInSeconds: 0.2, ...options, startPosition },
      );
    });
  } finally {
    await subscription?.close();
  }
  return received;
}

/** Subscribes to one partition and resolves with the first error the client reports. */
export async function firstSubscribeError(
  consumer: EventHubConsumerClient,
  partitionId: string,
  options: SubscribeOptions = {},
): Promise<ClientError> {
  let subscription: { close(): Promise<void> } | undefined;
  try {
    return await new Promise<ClientError>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no error was reported")), 10_000);
      subscription = consumer.subscribe(
        partitionId,
        {
          processEvents: async () => {},
          processError: async (error) => {
            clearTimeout(timer);
            resolve(error as ClientError);
          },
        },
        { maxWaitTimeInSeconds: 0.2, retryOptions: quickRetry, ...options },
      );
    });
  } finally {
    await subscription?.close();
  }
}

/** Polls `condition` on the event loop until it holds (no fixed sleeps); fails after `deadlineMs`. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, deadlineMs = 10_000) {
  const deadline = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
