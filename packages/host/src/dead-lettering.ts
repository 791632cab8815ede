import type { ReceivedEventData } from "@azure/event-hubs";
import {
  type Clock,
  type DeadLetter,
  type DeadLetterStore,
  delay,
  isEphError,
  type RandomSource,
  withDeadline,
} from "@eph/core";
import { backoffDelay } from "./backoff.js";
import type { HostErrorInfo } from "./host-events.js";

/** What writing dead letters needs from its partition. */
export interface DeadLetteringOptions {
  readonly store: DeadLetterStore;
  readonly partitionId: string;
  readonly hostName: string;
  readonly clock: Clock;
  readonly random: RandomSource;
  /** Deadline of one write (the host's `operationTimeout`). */
  readonly timeout: number;
  /** Fires when the partition stops: no more attempts. */
  readonly signal: AbortSignal;
  readonly report: (info: HostErrorInfo) => void;
}

function errorOf(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: "Error", message: typeof error === "string" ? error : String(error) };
}

/** The dead letter of `event`, on which a handler failed for good with `error`. */
export function deadLetterOf(
  event: ReceivedEventData,
  error: unknown,
  partitionId: string,
  hostName: string,
  now: number,
): DeadLetter {
  return {
    partitionId,
    sequenceNumber: event.sequenceNumber,
    offset: String(event.offset),
    enqueuedTime: event.enqueuedTimeUtc,
    ...(event.partitionKey ? { partitionKey: event.partitionKey } : {}),
    body: event.body,
    properties: { ...event.properties },
    // The client lifts these three out of the system properties; replay sets them again.
    systemProperties: {
      ...event.systemProperties,
      ...(event.messageId === undefined ? {} : { messageId: event.messageId }),
      ...(event.contentType === undefined ? {} : { contentType: event.contentType }),
      ...(event.correlationId === undefined ? {} : { correlationId: event.correlationId }),
    },
    error: errorOf(error),
    hostName,
    deadLetteredAt: new Date(now),
  };
}

/**
 * Writes the dead letter of `event`: a transient failure (`StoreUnavailable`, a missed deadline) is
 * retried with backoff for as long as the partition is held; a missing store is created once. Returns
 * false when it could not be written (the partition stopped, or the store refused it for good): the
 * caller then stops the partition, so the event is never passed over without being kept.
 */
export async function writeDeadLetter(
  o: DeadLetteringOptions,
  event: ReceivedEventData,
  error: unknown,
): Promise<boolean> {
  const letter = deadLetterOf(event, error, o.partitionId, o.hostName, o.clock.now());
  let created = false;
  for (let attempt = 1; !o.signal.aborted; attempt++) {
    try {
      await withDeadline(
        o.clock,
        o.timeout,
        (deadline) => o.store.add(letter, { abortSignal: AbortSignal.any([o.signal, deadline]) }),
        `Writing the dead letter of event ${event.sequenceNumber} of partition ${o.partitionId}`,
      );
      return true;
    } catch (failure) {
      const missing = isEphError(failure, "StoreNotFound") && !created;
      const transient = isEphError(failure, "StoreUnavailable") || isEphError(failure, "Aborted");
      o.report({
        operation: "deadLetter",
        partitionId: o.partitionId,
        error: failure,
        willRetry: (missing || transient) && !o.signal.aborted,
        event,
      });
      if (missing) {
        created = true;
        await o.store.ensureStore({ abortSignal: o.signal }).catch(() => undefined);
        continue;
      }
      if (!transient) return false;
      try {
        await delay(o.clock, backoffDelay(attempt, 200, 5000, o.random), o.signal);
      } catch {
        return false;
      }
    }
  }
  return false;
}
