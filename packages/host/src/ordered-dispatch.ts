import type { ReceivedEventData } from "@azure/event-hubs";

/**
 * Handles one delivery of a partition's events with up to `concurrency` events at once: events that
 * share a partition key one after the other, in order; events of different keys, and events without a
 * key (each counts as its own), in parallel. Completions are reported in event order, whatever order
 * the handlers finish in, so everything after (batch handlers, the checkpoint) sees a contiguous prefix:
 * the checkpoint only passes events below which every event is complete.
 */
export async function dispatchOrdered<T>(
  events: readonly ReceivedEventData[],
  concurrency: number,
  /** Runs the per-event handlers on one event. */
  dispatch: (event: ReceivedEventData) => T | Promise<T>,
  /** Called in event order once each event is done; false stops the delivery (nothing more starts). */
  complete: (event: ReceivedEventData, outcome: T) => boolean | Promise<boolean>,
  /** Asked before each event starts: false stops the delivery (the partition is stopping). */
  mayStart: () => boolean,
): Promise<void> {
  const started: Promise<T>[] = [];
  const tails = new Map<string, Promise<unknown>>();
  let running = 0;
  let halted = false;
  let startingDone = false;
  // One wake-up for both loops: a slot freed, an event started, starting ended.
  let wake: () => void = () => undefined;
  let changed = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const poke = () => {
    const resolve = wake;
    changed = new Promise<void>((r) => {
      wake = r;
    });
    resolve();
  };

  const completing = (async () => {
    for (let i = 0; ; i++) {
      while (i >= started.length && !startingDone) await changed;
      if (i >= started.length) return;
      const event = events[i] as ReceivedEventData;
      const outcome = await (started[i] as Promise<T>);
      const go = await complete(event, outcome);
      if (!go) {
        halted = true;
        poke();
        return;
      }
    }
  })();

  for (const event of events) {
    while (running >= concurrency && !halted) await changed;
    if (halted || !mayStart()) break;
    const key = event.partitionKey ?? undefined;
    const before = key === undefined ? undefined : tails.get(key);
    running++;
    const run = (before ?? Promise.resolve())
      .then(() => dispatch(event))
      .finally(() => {
        running--;
        poke();
      });
    if (key !== undefined)
      tails.set(
        key,
        run.catch(() => undefined),
      );
    started.push(run);
    poke();
  }
  startingDone = true;
  poke();
  await completing;
  // Events started after a halt still run to their end: wait, so nothing outlives the delivery.
  await Promise.allSettled(started);
}
