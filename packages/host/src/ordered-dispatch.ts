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
  /** The outcome of an event that waited for its key and was never started (the delivery stopped). */
  notStarted: T,
): Promise<void> {
  const started: Promise<T>[] = [];
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

  // Events waiting for an earlier one of their key, per key: they hold no slot while they wait, and
  // take over their predecessor's slot when it is done (so N bounds what runs, not what waits).
  const queued = new Map<string, { event: ReceivedEventData; resolve: (outcome: Promise<T>) => void }[]>();
  const start = (event: ReceivedEventData, key: string | undefined): Promise<T> => {
    const run = Promise.resolve().then(() => dispatch(event));
    run
      .finally(() => {
        const waiting = key === undefined ? undefined : queued.get(key);
        if (waiting && waiting.length > 0 && (halted || !mayStart())) {
          for (const next of waiting.splice(0)) next.resolve(Promise.resolve(notStarted));
        }
        const next = waiting?.shift();
        if (next) {
          next.resolve(start(next.event, key));
          return;
        }
        if (key !== undefined) queued.delete(key);
        running--;
        poke();
      })
      .catch(() => undefined);
    return run;
  };
  for (const event of events) {
    const key = event.partitionKey ?? undefined;
    const waiting = key === undefined ? undefined : queued.get(key);
    if (waiting) {
      if (halted || !mayStart()) break;
      started.push(new Promise<T>((resolve) => waiting.push({ event, resolve: (outcome) => resolve(outcome) })));
      poke();
      continue;
    }
    while (running >= concurrency && !halted) await changed;
    if (halted || !mayStart()) break;
    running++;
    if (key !== undefined) queued.set(key, []);
    started.push(start(event, key));
    poke();
  }
  startingDone = true;
  poke();
  await completing;
  // Events started after a halt still run to their end: wait, so nothing outlives the delivery.
  await Promise.allSettled(started);
}
