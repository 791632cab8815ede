import { type Checkpoint, type Checkpointer, isEphError, type LeaseMarker, type Leaser } from "@eph/core";

/** What to store for one partition: a position, or none (hosts then start at their initial position). */
export type CheckpointTarget =
  | { readonly kind: "position"; readonly resolve: (epoch: number, abortSignal: AbortSignal) => Promise<Checkpoint> }
  | { readonly kind: "none" };

/** How a change went. */
export interface ChangeOutcome {
  /** The epoch of the lease this command held while it wrote. */
  readonly epoch: number;
  /** The checkpoint stored, or undefined after a reset. */
  readonly checkpoint: Checkpoint | undefined;
}

/** How many times a write squeezed in by a deposed owner is undone before giving up. */
const maxReplaceAttempts = 5;
/** How many races for the lease (an owner renewing between read and take) are lost before giving up. */
const maxAcquireAttempts = 3;

/**
 * Takes the lease from whoever holds it, conditional on the version just read: a live owner renews
 * every few seconds, so a version read before the operator confirmed would almost always be stale.
 */
async function takeLease(leaser: Leaser, partitionId: string, abortSignal: AbortSignal): Promise<LeaseMarker> {
  for (let attempt = 1; ; attempt++) {
    const current = await leaser.ensureLease(partitionId, { abortSignal });
    try {
      return await leaser.acquireLease(partitionId, { expectedVersion: current.version, abortSignal });
    } catch (error) {
      if (!isEphError(error, "LeaseLost") || attempt >= maxAcquireAttempts) throw error;
    }
  }
}

/**
 * Replaces one partition's checkpoint safely while hosts may be running:
 * 1. take the partition's lease (a new epoch) in one conditional write on the version just read; after
 *    losing that race three times in a row nothing is done (`LeaseLost`);
 * 2. raise the checkpoint fence to that epoch, so the previous owner's checkpoint writes are refused
 *    from now on (it stops reading when its next renewal fails);
 * 3. delete the record and recreate it empty at the new fence; a write that slipped in between (from
 *    the previous owner, whose fence the delete removed) shows up as a position and is deleted again;
 * 4. write the new position under the new epoch (for a set);
 * 5. release the lease, so a host takes the partition at its next scan and resumes from there.
 * The lease is released even when a step fails.
 */
export async function replaceCheckpoint(
  leaser: Leaser,
  checkpointer: Checkpointer,
  partitionId: string,
  target: CheckpointTarget,
  abortSignal: AbortSignal,
): Promise<ChangeOutcome> {
  const lease = await takeLease(leaser, partitionId, abortSignal);
  const epoch = lease.epoch;
  try {
    await checkpointer.ensureCheckpoint(partitionId, { epoch, abortSignal });
    const position = target.kind === "position" ? await target.resolve(epoch, abortSignal) : undefined;
    for (let attempt = 1; ; attempt++) {
      await checkpointer.deleteCheckpoint(partitionId, { abortSignal });
      const left = await checkpointer.ensureCheckpoint(partitionId, { epoch, abortSignal });
      if (left === undefined) break;
      if (attempt >= maxReplaceAttempts) {
        throw new Error(`the previous owner kept writing checkpoints of partition ${partitionId}`);
      }
    }
    if (position) await checkpointer.updateCheckpoint(partitionId, position, { epoch, abortSignal });
    return { epoch, checkpoint: position };
  } finally {
    // Released even after Ctrl-C, with a deadline of its own: an unreleased lease would keep the
    // partition unread until it expires.
    await leaser.releaseLease(partitionId, { abortSignal: AbortSignal.timeout(10_000) }).catch(() => undefined);
  }
}
