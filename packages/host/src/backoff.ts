import type { RandomSource } from "@eph/core";

/**
 * Exponential backoff with jitter: the delay before attempt `attempt + 1` (attempt 1 is the first
 * retry). Jitter keeps many partitions that failed together from retrying in lockstep.
 */
export function backoffDelay(attempt: number, initial: number, max: number, random: RandomSource): number {
  const base = Math.min(max, initial * 2 ** Math.max(0, attempt - 1));
  return base * (0.5 + random() / 2);
}
