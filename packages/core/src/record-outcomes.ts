import type { BatchOutcome, DeleteOutcome, WriteOutcome } from "./record-store.js";

/** A conditional write or delete whose condition did not hold. */
export const conflict = Object.freeze({ status: "conflict" } as const);

/** A delete that took effect. */
export const deleted: DeleteOutcome = Object.freeze({ status: "deleted" } as const);

/** A write that took effect, the record now at `version`. */
export function written(version: string): WriteOutcome {
  return { status: "written", version };
}

/**
 * The outcomes of an all-or-nothing batch that failed: the member at `failed` lost its condition
 * (`"conflict"`), the others were not attempted (`"skipped"`; core sends them again).
 */
export function batchConflict(size: number, failed: number): BatchOutcome[] {
  return Array.from({ length: size }, (_, i) => (i === failed ? conflict : { status: "skipped" }));
}
