import type { ReceivedEventData } from "@azure/event-hubs";
import { EphError } from "@eph/core";

/** What a batch handler learns about the batch it is given. */
export interface BatchContext {
  /** The partition the events came from. */
  readonly partitionId: string;
  /** The epoch of this host's lease on the partition (its fencing token). */
  readonly epoch: number;
  /**
   * Fires when this host stops processing the partition (close, lease lost, handoff). A batch held when
   * the partition stops is still delivered, with this signal already fired: finish or give up quickly.
   */
  readonly signal: AbortSignal;
  /**
   * Declares this handler done with the batch up to `event` (default: its last event) and stores that
   * position now. The checkpoint passes an event only once every handler is done with it: with other
   * handlers still holding an earlier event, what is stored now is the position just before it, and
   * `event`'s own position goes out as soon as they are done. Resolves once the write is stored;
   * rejects if it failed or the partition is being let go. `event` must be one of the batch's events.
   */
  checkpoint(event?: ReceivedEventData): Promise<void>;
}

/**
 * A batch handler: `async (events, context) => void`, given one partition's events in order, one batch
 * at a time (never an empty one). A batch that resolves counts as handled in full; one that throws is
 * retried as a whole (see `handlerRetry`), then `onHandlerFailure` applies to the batch.
 */
export type BatchHandler = (events: ReceivedEventData[], context: BatchContext) => void | Promise<void>;

/** When a batch is delivered (the names and units of `@azure/event-hubs`' `subscribe` options). */
export interface BatchHandlerOptions {
  /** Most events per batch: a batch that holds this many is delivered at once. Default 100. */
  readonly maxBatchSize?: number;
  /**
   * A batch with fewer events than this is delivered only once `maxWaitTimeInSeconds` has passed since
   * its first event (or the partition closes); with at least this many, as soon as no more events are
   * waiting. Default 1. At most `maxBatchSize`.
   */
  readonly minBatchSize?: number;
  /**
   * Longest time (s) a batch waits for `minBatchSize` events, counted from its first event: then it is
   * delivered as it is (a small batch never waits forever). Default 60.
   */
  readonly maxWaitTimeInSeconds?: number;
}

/** Batch options with the defaults filled in. */
export type ResolvedBatchOptions = Required<BatchHandlerOptions>;

/** One batch option, once: its default and its check (the unknown-name check reads the names too). */
interface BatchOptionSpec {
  readonly fallback: (given: Record<string, unknown>) => number;
  readonly check: (value: number, given: Record<string, unknown>) => string | undefined;
}

const batchOptionSpecs = {
  maxBatchSize: {
    fallback: () => 100,
    check: (v) => (Number.isSafeInteger(v) && v >= 1 ? undefined : "an integer of at least 1"),
  },
  minBatchSize: {
    fallback: () => 1,
    check: (v, given) => {
      const max = typeof given.maxBatchSize === "number" ? given.maxBatchSize : 100;
      return Number.isSafeInteger(v) && v >= 1 && v <= max ? undefined : `an integer from 1 to "maxBatchSize" (${max})`;
    },
  },
  maxWaitTimeInSeconds: {
    fallback: () => 60,
    check: (v) => (Number.isFinite(v) && v > 0 ? undefined : "a positive number of seconds"),
  },
} as const satisfies { readonly [K in keyof ResolvedBatchOptions]: BatchOptionSpec };

/** Checks the options of `registerBatchHandler`; an `InvalidOption` error names the first bad one. */
export function resolveBatchOptions(options: BatchHandlerOptions | undefined): ResolvedBatchOptions {
  if (options !== undefined && (typeof options !== "object" || options === null || Array.isArray(options))) {
    throw new EphError("InvalidOption", 'Argument "options" of registerBatchHandler must be an object.');
  }
  const given = (options ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!(key in batchOptionSpecs) && given[key] !== undefined) {
      throw new EphError("InvalidOption", `Unknown batch handler option "${key}".`);
    }
  }
  const resolved: Record<string, number> = {};
  for (const [name, spec] of Object.entries(batchOptionSpecs) as [keyof ResolvedBatchOptions, BatchOptionSpec][]) {
    const value = given[name] ?? spec.fallback(given);
    const problem = typeof value === "number" ? spec.check(value, given) : "a number";
    if (problem !== undefined) {
      throw new EphError(
        "InvalidOption",
        `Batch handler option "${name}" must be ${problem}; got ${JSON.stringify(given[name])}.`,
      );
    }
    resolved[name] = value as number;
  }
  return resolved as ResolvedBatchOptions;
}
