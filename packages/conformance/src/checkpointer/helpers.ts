import type { Checkpoint } from "@eph/core";
import { expect } from "../expect.js";

/** A fixed instant with milliseconds, so a store that drops them is caught. */
export const baseTime = Date.UTC(2024, 0, 2, 3, 4, 5, 678);

/** A checkpoint at `sequenceNumber`, with an offset and time derived from it (or tagged by `tag`). */
export function position(sequenceNumber: number, tag = ""): Checkpoint {
  return {
    offset: `${sequenceNumber * 100}${tag}`,
    sequenceNumber,
    enqueuedTime: new Date(baseTime + sequenceNumber),
  };
}

/** A checkpoint as comparable plain data. */
export function plain(
  checkpoint: Checkpoint | undefined,
): { offset: string; sequenceNumber: number; time: number } | undefined {
  if (checkpoint === undefined) return undefined;
  expect(checkpoint.enqueuedTime, "enqueuedTime is a Date").toBeInstanceOf(Date);
  return {
    offset: checkpoint.offset,
    sequenceNumber: checkpoint.sequenceNumber,
    time: checkpoint.enqueuedTime.getTime(),
  };
}
