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

/**
 * An all-or-nothing batch applied in one step, for stores that can: when every member's condition
 * `holds`, each is written; otherwise none is, the first failing member is the `"conflict"` and the
 * others are `"skipped"`.
 */
export function allOrNothing<R>(
  requests: readonly R[],
  holds: (request: R) => boolean,
  write: (request: R) => WriteOutcome,
): BatchOutcome[] {
  const failed = requests.findIndex((request) => !holds(request));
  return failed < 0 ? requests.map(write) : batchConflict(requests.length, failed);
}
