import { EphError, type LeaseMarker } from "@eph/core";

/** The path segment between the scope and the partition id of lease blobs. */
export const LEASE_SEGMENT = "eph-lease";

/** What a lease blob's metadata holds: the epoch, and the owner while one holds it. */
export interface LeaseState {
  readonly epoch: number;
  readonly owner: string;
}

const EPOCH = /^(0|[1-9][0-9]{0,15})$/;

/**
 * The metadata of a lease blob. The owner is percent-encoded (metadata travels in HTTP headers, which
 * carry ASCII only) and left out when nobody owns the lease: the service does not return empty
 * metadata values reliably. No native lease id or other secret is ever stored.
 */
export function leaseMetadata(state: LeaseState): Record<string, string> {
  const metadata: Record<string, string> = { epoch: String(state.epoch) };
  if (state.owner !== "") metadata.owner = encodeURIComponent(state.owner);
  return metadata;
}

/** Builds the `CorruptRecord` error for a blob, naming it. */
export function corruptLease(blobName: string, reason: string, partitionId: string): EphError {
  return new EphError("CorruptRecord", `The lease blob "${blobName}" is not a valid lease: ${reason}.`, {
    partitionId,
  });
}

/** Reads a lease from a blob's metadata and ETag; `CorruptRecord` naming the blob when it is not a lease. */
export function parseLease(
  blobName: string,
  partitionId: string,
  metadata: Record<string, string> | undefined,
  etag: string | undefined,
): LeaseMarker {
  const bad = (reason: string) => corruptLease(blobName, reason, partitionId);
  const fields = lowerKeys(metadata);
  const epochText = fields.epoch;
  if (epochText === undefined) throw bad(`metadata "epoch" is missing`);
  if (!EPOCH.test(epochText) || !Number.isSafeInteger(Number(epochText))) {
    throw bad(`metadata "epoch" is ${JSON.stringify(epochText.slice(0, 40))}, expected an integer >= 0`);
  }
  let owner = "";
  if (fields.owner !== undefined && fields.owner !== "") {
    try {
      owner = decodeURIComponent(fields.owner);
    } catch {
      throw bad(`metadata "owner" is not percent-encoded text`);
    }
  }
  if (etag === undefined || etag === "") throw bad("the service returned no ETag");
  return { partitionId, epoch: Number(epochText), owner, version: normalizeEtag(etag) };
}

/**
 * ETags in one form: listings return them bare (`0x8D…`), single-blob responses quoted (`"0x8D…"`).
 * Versions are compared as strings, so they are always quoted.
 */
export function normalizeEtag(etag: string): string {
  return etag.startsWith('"') || etag.startsWith("W/") ? etag : `"${etag}"`;
}

function lowerKeys(metadata: Record<string, string> | undefined): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(metadata ?? {})) out[key.toLowerCase()] = value;
  return out;
}
