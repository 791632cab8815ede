import { type Clock, EphError, type HandlerID, type TimerHandle } from "@eph/core";

/** A handler call that has not settled, as `health()` shows the oldest. */
export interface RunningHandler {
  /** The handler. */
  readonly handlerId: HandlerID;
  /** The event it runs on (for a batch handler, the batch's first event). */
  readonly sequenceNumber: number;
  /** Host-clock time (ms) the call started. */
  readonly since: number;
}

/**
 * One partition's handler calls still running, oldest first, including calls `handlerTimeout` gave up
 * waiting for (they are the stuck ones a health check wants to see).
 */
export class RunningHandlers {
  private readonly calls = new Map<number, RunningHandler>();
  private next = 0;

  constructor(private readonly clock: Clock) {}

  /** The call that has run longest, if any. */
  oldest(): RunningHandler | undefined {
    // A Map iterates in insertion order: the first entry started first.
    for (const call of this.calls.values()) return call;
    return undefined;
  }

  /**
   * Watches one handler call: records it as running until the returned function is called (when the
   * call settles) and, with a `timeout`, calls `onTimeout` with a `HandlerTimeout` error once it has run
   * that long (the call itself cannot be cancelled; its `context.signal` is what tells it to give up).
   */
  watch(
    handlerId: HandlerID,
    sequenceNumber: number,
    partitionId: string,
    timeout: number | undefined,
    onTimeout: (error: EphError) => void,
  ): () => void {
    const token = this.next++;
    this.calls.set(token, { handlerId, sequenceNumber, since: this.clock.now() });
    let timer: TimerHandle | undefined;
    if (timeout !== undefined) {
      timer = this.clock.setTimeout(() => {
        timer = undefined;
        onTimeout(
          new EphError(
            "HandlerTimeout",
            `Handler ${handlerId} was still running on event ${sequenceNumber} of partition ${partitionId} after handlerTimeout (${timeout} ms).`,
            { partitionId },
          ),
        );
      }, timeout);
    }
    return () => {
      this.calls.delete(token);
      if (timer !== undefined) this.clock.clearTimeout(timer);
      timer = undefined;
    };
  }
}

/**
 * The signal a handler call is given: the partition's own, or, with a `handlerTimeout`, one that also
 * fires when the call times out. `abort` fires the latter.
 */
export function callSignal(
  partitionSignal: AbortSignal,
  timeout: number | undefined,
): { readonly signal: AbortSignal; readonly abort: (reason: unknown) => void } {
  if (timeout === undefined) return { signal: partitionSignal, abort: () => undefined };
  const own = new AbortController();
  return { signal: AbortSignal.any([partitionSignal, own.signal]), abort: (reason) => own.abort(reason) };
}
