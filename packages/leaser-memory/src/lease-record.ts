import { EphError } from "@eph/core";
import { describeRecord, type RecordScope as LeaseScope } from "@eph/memory-common";

/** What the memory store holds for one lease: no version (the store keeps it) and nothing secret. */
export interface LeaseRecord {
  readonly partitionId: string;
  readonly epoch: number;
  readonly owner: string;
}

/** A frozen record, so that no caller can change a stored value through a reference. */
export function leaseRecord(partitionId: string, epoch: number, owner: string): LeaseRecord {
  return Object.freeze({ partitionId, epoch, owner });
}

function problemOf(value: unknown, partitionId: string): string | undefined {
  if (typeof value !== "object" || value === null) return `it is ${value === null ? "null" : typeof value}`;
  const record = value as Record<string, unknown>;
  if (record.partitionId !== partitionId) return `its partitionId is ${JSON.stringify(record.partitionId)}`;
  const { epoch, owner } = record;
  if (typeof epoch !== "number" || !Number.isSafeInteger(epoch) || epoch < 0) {
    return `its epoch ${JSON.stringify(epoch)} is not a non-negative integer`;
  }
  if (typeof owner !== "string") return `its owner ${JSON.stringify(owner)} is not a string`;
  return undefined;
}

/** Validates a stored value as the lease of `partitionId`, or throws `CorruptRecord` naming the record. */
export function parseLeaseRecord(value: unknown, scope: LeaseScope, partitionId: string): LeaseRecord {
  const problem = problemOf(value, partitionId);
  if (problem !== undefined) {
    throw new EphError(
      "CorruptRecord",
      `The lease record of ${describeRecord(scope, partitionId)} is corrupt: ${problem}.`,
      {
        partitionId,
      },
    );
  }
  return value as LeaseRecord;
}
