import { EphError } from "./errors.js";
import type { RecordFields, RecordKind, RecordScope } from "./record-store.js";

/**
 * The format version core writes into every record's `format` field. A later eph that changes a
 * record's fields raises it, so this version can tell a newer record from a damaged one.
 */
export const recordFormat = 1;

/** How a record is named in messages: kind, id, hub, consumer group and namespace. */
export function describeRecord(scope: RecordScope, kind: RecordKind, id: string): string {
  const what = kind === "host" ? `host record of "${id}"` : `${kind} record of partition "${id}"`;
  return `the ${what} of event hub "${scope.eventHubName}", consumer group "${scope.consumerGroup}", namespace "${scope.fullyQualifiedNamespace}"`;
}

/** A `CorruptRecord` error naming the record and what is wrong with it. */
export function corruptRecord(scope: RecordScope, kind: RecordKind, id: string, problem: string): EphError {
  const text = describeRecord(scope, kind, id);
  return new EphError("CorruptRecord", `${text.charAt(0).toUpperCase()}${text.slice(1)} is corrupt: ${problem}.`, {
    partitionId: id,
  });
}

/** The fields' problem with their format version, or `undefined` when core reads this format. */
export function formatProblem(fields: RecordFields): string | undefined {
  const format = fields.format;
  if (format === undefined) return "it has no format field";
  if (!/^[1-9]\d{0,8}$/.test(format)) return `its format ${JSON.stringify(format)} is not a version number`;
  if (Number(format) > recordFormat) {
    return `it is in format ${format}, newer than the format ${recordFormat} this version of eph reads (upgrade eph)`;
  }
  return undefined;
}

/** The value of a non-negative integer field, or `undefined` when it is not one. */
export function countField(value: string | undefined): number | undefined {
  if (value === undefined || !/^(0|[1-9]\d*)$/.test(value)) return undefined;
  const number = Number(value);
  return Number.isSafeInteger(number) ? number : undefined;
}
