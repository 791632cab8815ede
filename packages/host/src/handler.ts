import type { ReceivedEventData } from "@azure/event-hubs";

/** What a handler learns about the event it is given. */
export interface HandlerContext {
  /** The partition the event came from. */
  readonly partitionId: string;
  /** The epoch of this host's lease on the partition (its fencing token). */
  readonly epoch: number;
  /**
   * Fires when this host stops processing the partition (close, lease lost, handoff). The host still
   * waits for the handler, up to `drainTimeout`, and records the events that completed.
   */
  readonly signal: AbortSignal;
  /**
   * Declares this handler done with the event and stores the event's position now, instead of at the
   * next automatic checkpoint. The position is written once every registered handler is done with the
   * event (it returned, or called `checkpoint()` too), so a checkpoint never passes an event another
   * handler failed; the promise resolves when the position is stored. It rejects (and nothing is
   * stored past the event) when another handler fails on the event for good, or the partition is lost.
   */
  checkpoint(): Promise<void>;
}

/**
 * An event handler: `async (event, context) => void`. Events of one partition reach the handlers in
 * order, one event at a time; partitions are handled concurrently. A handler that throws or rejects is
 * retried on the same event (see `handlerRetry` and `onHandlerFailure`).
 */
export type EventHandler = (event: ReceivedEventData, context: HandlerContext) => void | Promise<void>;
