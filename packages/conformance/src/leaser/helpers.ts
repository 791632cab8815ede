import type { LeaseMarker, Leaser } from "@eph/core";
import { expect } from "../expect.js";

/** The only properties a returned lease may carry: nothing in it may help a reader take a lease. */
export const leaseKeys = ["epoch", "owner", "partitionId", "version"];

/** A lease reduced to the four contract fields, so results compare with `toEqual`. */
export function plain(lease: LeaseMarker): LeaseMarker {
  return { partitionId: lease.partitionId, epoch: lease.epoch, owner: lease.owner, version: lease.version };
}

/** Leases as plain values, in partition order, so listings compare regardless of store order. */
export function sorted(leases: readonly LeaseMarker[]): LeaseMarker[] {
  return leases.map(plain).sort((a, b) => a.partitionId.localeCompare(b.partitionId, "en", { numeric: true }));
}

/** The stored lease of `partitionId` as `observer` lists it, or `undefined`. */
export async function leaseOf(observer: Leaser, partitionId: string): Promise<LeaseMarker | undefined> {
  const found = (await observer.getLeases()).find((lease) => lease.partitionId === partitionId);
  return found && plain(found);
}

/** Checks the shape of a returned lease: the four fields, correctly typed, nothing else. */
export function expectWellFormed(lease: LeaseMarker, what: string): void {
  for (const key of Object.keys(lease)) expect(leaseKeys, `${what}: unexpected property "${key}"`).toContain(key);
  expect(typeof lease.partitionId, `${what}: partitionId`).toBe("string");
  expect(Number.isSafeInteger(lease.epoch) && lease.epoch >= 0, `${what}: epoch ${lease.epoch}`).toBe(true);
  expect(typeof lease.owner, `${what}: owner`).toBe("string");
  expect(typeof lease.version === "string" && lease.version.length > 0, `${what}: version`).toBe(true);
}
