import { AmqpFailure, Condition } from "./amqp-error.js";
import type { PartitionLog } from "./partition-log.js";

/** Where a receiver starts, as its selector filter asks. */
export type StartPosition =
  | { kind: "start" }
  | { kind: "latest" }
  | { kind: "offset"; offset: number; inclusive: boolean }
  | { kind: "sequenceNumber"; sequenceNumber: number; inclusive: boolean }
  | { kind: "enqueuedTime"; timeMs: number; inclusive: boolean };

const SELECTOR =
  /^\s*amqp\.annotation\.(x-opt-offset|x-opt-sequence-number|x-opt-enqueued-time)\s*(>=|>)\s*'([^']*)'\s*$/i;
const INTEGER = /^-?\d{1,16}$/;

function badFilter(expression: string, why: string): AmqpFailure {
  return new AmqpFailure(Condition.argumentError, `The selector filter ${JSON.stringify(expression)} ${why}.`);
}

/**
 * Parses the `apache.org:selector-filter:string` expression Event Hubs clients send, e.g.
 * `amqp.annotation.x-opt-offset > '-1'` or `amqp.annotation.x-opt-sequence-number >= '42'`.
 */
export function parseSelector(expression: string): StartPosition {
  const match = SELECTOR.exec(expression);
  if (!match) {
    throw badFilter(
      expression,
      "is not supported: expected amqp.annotation.<x-opt-offset|x-opt-sequence-number|x-opt-enqueued-time> > or >= '<value>'",
    );
  }
  const annotation = match[1]!.toLowerCase();
  const inclusive = match[2] === ">=";
  const value = match[3]!;
  if (annotation === "x-opt-offset" && value === "@latest") return { kind: "latest" };
  if (!INTEGER.test(value)) throw badFilter(expression, `has a value that is not an integer`);
  const n = Number(value);
  if (annotation === "x-opt-offset") {
    if (n < 0) {
      if (n !== -1) throw badFilter(expression, "has a negative offset other than -1");
      return { kind: "start" };
    }
    return { kind: "offset", offset: n, inclusive };
  }
  if (annotation === "x-opt-sequence-number") {
    if (n < -1 || (n === -1 && inclusive)) throw badFilter(expression, "has a negative sequence number");
    return { kind: "sequenceNumber", sequenceNumber: n, inclusive };
  }
  return { kind: "enqueuedTime", timeMs: n, inclusive };
}

/**
 * The sequence number a receiver starts at. Positions past the end of the partition are refused with the
 * errors Azure gives (`com.microsoft:argument-error`); positions before the retained range start at the
 * oldest retained event.
 */
export function startSequenceNumber(log: PartitionLog, position: StartPosition): number {
  const begin = log.beginSequenceNumber;
  const last = log.lastSequenceNumber;
  switch (position.kind) {
    case "start":
      return begin;
    case "latest":
      return last + 1;
    case "sequenceNumber": {
      const first = position.inclusive ? position.sequenceNumber : position.sequenceNumber + 1;
      if (first > last + 1) {
        throw new AmqpFailure(
          Condition.argumentError,
          `The supplied sequence number '${position.sequenceNumber}' is invalid. The last sequence number in the system is '${last}'.`,
        );
      }
      return Math.max(first, begin);
    }
    case "offset": {
      const lastOffset = log.lastEnqueued?.offset ?? -1;
      if (position.offset > lastOffset) {
        throw new AmqpFailure(
          Condition.argumentError,
          `The supplied offset '${position.offset}' is invalid. The last offset in the system is '${lastOffset}'.`,
        );
      }
      return Math.max(log.sequenceAtOffset(position.inclusive ? position.offset : position.offset + 1), begin);
    }
    case "enqueuedTime":
      return log.sequenceEnqueuedAfter(position.inclusive ? position.timeMs - 1 : position.timeMs);
  }
}
