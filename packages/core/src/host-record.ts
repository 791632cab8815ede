import { corruptRecord, countField, formatProblem, recordFormat } from "./record-format.js";
import type { RecordFields, RecordScope, VersionedRecord } from "./record-store.js";

/**
 * A host's liveness record (heartbeat lease upkeep), as read from the lease store: its id is the host
 * name. The owner rewrites it once per renewal interval; observers judge the host alive while its
 * `version` keeps changing, on their own clocks, and never read a time from it.
 */
export interface HostRecord {
  /** The host name the record belongs to (the record's id). */
  readonly hostName: string;
  /**
   * Random id of the process that writes it: two live processes using one host name write different
   * ones, which is how the second one notices the first.
   */
  readonly instance: string;
  /** How many times that process wrote it: tells a write of its own whose answer was lost from an older one. */
  readonly beat: number;
  /** Opaque token that changes on every write. */
  readonly version: string;
}

/** What a host writes into its liveness record. */
export interface HostRecordContent {
  /** The writing process's instance id. */
  readonly instance: string;
  /** The writing process's count of its writes. */
  readonly beat: number;
}

/** A host record's fields: `format`, `instance` and `beat` (decimal). Nothing secret. */
export function encodeHostRecord(content: HostRecordContent): RecordFields {
  return { format: String(recordFormat), instance: content.instance, beat: String(content.beat) };
}

/** The host record a stored record holds, or `CorruptRecord` naming it. */
export function decodeHostRecord(scope: RecordScope, record: VersionedRecord): HostRecord {
  const { fields } = record;
  const fail = (what: string) => corruptRecord(scope, "host", record.id, what);
  const problem = formatProblem(fields);
  if (problem !== undefined) throw fail(problem);
  if (typeof fields.instance !== "string" || fields.instance === "") throw fail("it has no instance field");
  const beat = countField(fields.beat);
  if (beat === undefined) throw fail(`its beat ${JSON.stringify(fields.beat)} is not a non-negative integer`);
  return { hostName: record.id, instance: fields.instance, beat, version: record.version };
}
