import type { HandlerID } from "@eph/core";

/**
 * Tracks which handlers are done with one event, for `context.checkpoint()`. A handler is done when it
 * returned successfully or called `checkpoint()`; the event's position may be written only once every
 * handler is done, so one handler's checkpoint never passes an event another handler failed on.
 */
export class EventCompletion {
  private readonly waiting: Set<HandlerID>;
  private wanted = false;
  private settled = false;
  private written: Promise<void> | undefined;
  private resolveWritten: (() => void) | undefined;
  private rejectWritten: ((error: unknown) => void) | undefined;

  /** `handlers`: the handlers the event is given to; `write` stores the event's position now. */
  constructor(
    handlers: Iterable<HandlerID>,
    private readonly write: () => Promise<void>,
  ) {
    this.waiting = new Set(handlers);
  }

  /** True once a handler asked for the event's position to be stored. */
  get checkpointRequested(): boolean {
    return this.wanted;
  }

  /** The handler finished the event successfully. */
  done(handlerId: HandlerID): void {
    this.waiting.delete(handlerId);
    this.maybeWrite();
  }

  /** The handler called `checkpoint()`: it is done, and the position should be stored as soon as all are. */
  requestCheckpoint(handlerId: HandlerID): Promise<void> {
    this.wanted = true;
    if (!this.written) {
      this.written = new Promise<void>((resolve, reject) => {
        this.resolveWritten = resolve;
        this.rejectWritten = reject;
      });
      // A caller that does not await must not cause an unhandled rejection.
      this.written.catch(() => undefined);
    }
    const written = this.written;
    this.done(handlerId);
    return written;
  }

  /** Every handler counts as done (the event is skipped, or a handler was unregistered). */
  completeAll(): void {
    this.waiting.clear();
    this.maybeWrite();
  }

  /** The event will not complete: pending `checkpoint()` calls reject with `error`. */
  abandon(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.rejectWritten?.(error);
  }

  private maybeWrite(): void {
    if (this.settled || !this.wanted || this.waiting.size > 0) return;
    this.settled = true;
    this.write().then(
      () => this.resolveWritten?.(),
      (error: unknown) => this.rejectWritten?.(error),
    );
  }
}
