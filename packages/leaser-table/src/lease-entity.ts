import { EphError, type LeaseMarker } from "@eph/core";
import { unescapeKeyPart } from "@eph/table-common";

/**
 * The stored form of a lease: owner and epoch, nothing else. In particular no time: liveness is read by
 * each observer from how long the ETag stays unchanged on its own clock, so no field could make two
 * machines' clocks disagree about expiry, and no field is a token that would let a reader take the lease.
 */
export interface LeaseEntity {
  partitionKey: string;
  rowKey: string;
  /** Owning host name, `""` when unowned. */
  owner: string;
  /** Epoch as Edm.Int64, so it can grow past 2^31 and matches the AMQP owner level (a long). */
  epoch: bigint;
}

/** Builds the entity to write for a lease. */
export function leaseEntity(partitionKey: string, rowKey: string, owner: string, epoch: number): LeaseEntity {
  return { partitionKey, rowKey, owner, epoch: BigInt(epoch) };
}

/** Raised (internally) when a stored entity is not a lease this package wrote. */
export function corruptLease(partitionKey: string, rowKey: string, reason: string, partitionId?: string): EphError {
  return new EphError(
    "CorruptRecord",
    `The lease entity PartitionKey=${JSON.stringify(partitionKey)} RowKey=${JSON.stringify(rowKey)} is not a valid lease: ${reason}.`,
    { partitionId },
  );
}

/**
 * Reads a lease from an entity as the SDK returns it. Throws `CorruptRecord` naming the entity when a
 * field is missing or of the wrong type (a foreign or damaged entity), never anything else.
 */
export function parseLease(entity: Record<string, unknown>, partitionKey: string, rowKey: string): LeaseMarker {
  const partitionId = unescapeKeyPart(rowKey);
  if (partitionId === undefined || partitionId === "") {
    throw corruptLease(partitionKey, rowKey, "the RowKey is not an escaped partition id");
  }
  const etag = entity.etag;
  if (typeof etag !== "string" || etag === "") {
    throw corruptLease(partitionKey, rowKey, "the service returned no ETag", partitionId);
  }
  const owner = entity.owner;
  if (typeof owner !== "string") {
    throw corruptLease(partitionKey, rowKey, `"owner" is ${kind(owner)}, expected a string`, partitionId);
  }
  const epoch = toEpoch(entity.epoch);
  if (epoch === undefined) {
    throw corruptLease(
      partitionKey,
      rowKey,
      `"epoch" is ${kind(entity.epoch)}, expected a non-negative integer (Edm.Int64)`,
      partitionId,
    );
  }
  return { partitionId, owner, epoch, version: etag };
}

function toEpoch(value: unknown): number | undefined {
  // Int64 arrives as bigint; an Int32 written by another tool is accepted too.
  const n = typeof value === "bigint" ? Number(value) : typeof value === "number" ? value : Number.NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function kind(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (typeof value === "string") return `the string ${JSON.stringify(value.slice(0, 40))}`;
  return `of type ${typeof value}`;
}
