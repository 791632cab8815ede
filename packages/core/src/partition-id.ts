import { EphError } from "./errors.js";

const digits = /^\d+$/;

/**
 * The one order of partition ids: numeric ids in numeric order ("2" before "10"), before any others,
 * which sort as strings. Listings of every store come back in this order.
 */
export function comparePartitionIds(a: string, b: string): number {
  const aNumeric = digits.test(a);
  const bNumeric = digits.test(b);
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  if (aNumeric && a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Throws `InvalidOption` unless `partitionId` is a non-empty string. */
export function checkPartitionId(partitionId: unknown): asserts partitionId is string {
  if (typeof partitionId !== "string" || partitionId === "") {
    throw new EphError("InvalidOption", `partitionId must be a non-empty string, got ${describeValue(partitionId)}.`);
  }
}

/** A short, safe description of a value for an error message. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  if (typeof value === "object" && value !== null) return Array.isArray(value) ? "an array" : "an object";
  return String(value);
}
