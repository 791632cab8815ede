import { Lease } from "./lease.js";
import { corruptRecord, countField, formatProblem, recordFormat } from "./record-format.js";
import type { RecordFields, RecordScope, VersionedRecord } from "./record-store.js";

/**
 * A lease's fields: `format`, `epoch` (decimal) and `owner` (`""` when unowned). Nothing else, and
 * nothing secret: any reader of the store may see them.
 */
export function encodeLease(epoch: number, owner: string): RecordFields {
  return { format: String(recordFormat), epoch: String(epoch), owner };
}

/** The lease a record holds, or `CorruptRecord` naming it. */
export function decodeLease(scope: RecordScope, record: VersionedRecord): Lease {
  const { fields } = record;
  const problem = formatProblem(fields);
  const epoch = countField(fields.epoch);
  const fail = (what: string) => corruptRecord(scope, "lease", record.id, what);
  if (problem !== undefined) throw fail(problem);
  if (epoch === undefined) throw fail(`its epoch ${JSON.stringify(fields.epoch)} is not a non-negative integer`);
  if (typeof fields.owner !== "string") throw fail("it has no owner field");
  return new Lease({ partitionId: record.id, epoch, owner: fields.owner, version: record.version });
}
