import { EventHubProducerClient } from "@azure/event-hubs";
import { sleep } from "../abortable-sleep.js";
import type { DemoLedger } from "./demo-ledger.js";

/**
 * Sends events to every partition at a steady rate until stopped, recording in the ledger only what
 * the hub acknowledged. Events go to explicit partitions so every partition keeps moving.
 */
export class DemoProducer {
  private readonly client: EventHubProducerClient;
  private readonly stopSignal = new AbortController();
  private running: Promise<void> | undefined;
  /** Sends that failed (the events were not counted as sent). */
  failures = 0;

  constructor(
    connectionString: string,
    private readonly partitionIds: readonly string[],
    private readonly eventsPerSecond: number,
    private readonly ledger: DemoLedger,
  ) {
    this.client = new EventHubProducerClient(connectionString, { userAgent: "eph-demo" });
  }

  /** Starts sending. */
  start(): void {
    this.running ??= this.loop();
  }

  private async loop(): Promise<void> {
    // One event per partition per round; rounds are spaced to give the requested rate.
    const roundMs = (1000 * this.partitionIds.length) / this.eventsPerSecond;
    let round = 0;
    const started = performance.now();
    while (!this.stopSignal.signal.aborted) {
      await Promise.all(
        this.partitionIds.map(async (partitionId) => {
          try {
            await this.client.sendBatch([{ body: { round, partitionId } }], { partitionId });
            this.ledger.recordSent(partitionId, 1);
          } catch {
            this.failures++;
          }
        }),
      );
      round++;
      const wait = started + round * roundMs - performance.now();
      if (wait > 0) await sleep(wait, this.stopSignal.signal);
    }
  }

  /** Stops sending and closes the client once the sends in flight are done. */
  async stop(): Promise<void> {
    this.stopSignal.abort();
    await this.running;
    await this.client.close();
  }
}
