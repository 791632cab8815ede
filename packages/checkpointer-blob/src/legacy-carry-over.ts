import type { ContainerClient } from "@azure/storage-blob";
import { BlobRecordStore } from "@eph/blob-common";
import type {
  DeleteOutcome,
  Logger,
  OperationOptions,
  RecordFields,
  RecordKey,
  VersionedRecord,
  WriteOutcome,
} from "@eph/core";
import { NO_POSITION } from "./checkpoint-layout.js";

/** The metadata name marking a 0.1 record as carried over; the value names the folder it went to. */
const MOVED = "ephmovedto";

/** What a carried-over record's version holds: the current blob's ETag (if any), the 0.1 blob's and its fields. */
type Carry = [current: string | null, legacy: string | null, fields: RecordFields];
const CARRY = "carry:";

/**
 * The default layout's store: a {@link BlobRecordStore} that also reads eph 0.1's checkpoints
 * (`…/eph-checkpoint/<pid>`, metadata `fence`, `sequencenumber`, `offset`, `enqueuedtime`) when the
 * partition has no record in `checkpoint/`, or only one another writer left there (no `ephfence`).
 * Such a record is returned in today's fields under a version of its own; the write core makes on it
 * creates (or replaces) the current record, then marks the 0.1 one `ephmovedto` with its fields kept, so
 * that it is never carried over twice and 0.1 still resumes from it after a downgrade.
 */
export class CarryOverStore extends BlobRecordStore {
  readonly #legacy: BlobRecordStore;
  readonly #log: Logger;

  /** Both layouts in `containerClient`. */
  constructor(containerClient: ContainerClient, logger: Logger) {
    super(containerClient, { logger });
    this.#legacy = new BlobRecordStore(containerClient, { logger, folders: { checkpoint: "eph-checkpoint" } });
    this.#log = logger;
  }

  /** The current record; else the 0.1 one, in today's fields. Costs a second read only when the first finds no eph record. */
  override async read(key: RecordKey, options?: OperationOptions): Promise<VersionedRecord | undefined> {
    const current = await super.read(key, options);
    if (current !== undefined && current.fields.ephfence !== undefined) return current;
    const old = await this.#legacy.read(key, options);
    const moved = old?.fields[MOVED] !== undefined;
    if (old === undefined || (current !== undefined && moved)) return current;
    if (current !== undefined) {
      this.#log.warning(
        `The checkpoint of partition "${key.id}" was left by another writer; eph 0.1's record replaces it.`,
      );
    }
    const carry: Carry = [current?.version ?? null, moved ? null : old.version, old.fields];
    return { ...key, fields: todaysFields(old.fields), version: `${CARRY}${JSON.stringify(carry)}` };
  }

  /** A replace of a carried-over record creates (or replaces) the current one, then marks the 0.1 record. */
  override async replace(
    key: RecordKey,
    fields: RecordFields,
    expectedVersion: string,
    options?: OperationOptions,
  ): Promise<WriteOutcome> {
    if (!expectedVersion.startsWith(CARRY)) return super.replace(key, fields, expectedVersion, options);
    const [current, legacy, old] = JSON.parse(expectedVersion.slice(CARRY.length)) as Carry;
    const written =
      current === null ? await super.create(key, fields, options) : await super.replace(key, fields, current, options);
    if (written.status === "written" && legacy !== null) {
      this.#log.info(`The checkpoint of partition "${key.id}" was carried over from eph 0.1's layout.`);
      await this.#legacy.replace(key, { ...old, [MOVED]: "checkpoint" }, legacy, options).catch((error: unknown) => {
        this.#log.warning(
          `Could not mark eph 0.1's checkpoint of partition "${key.id}" as carried over: ${String(error)}`,
        );
      });
    }
    return written;
  }

  /** Deletes both records, or the next read would carry the old position over again. */
  override async delete(key: RecordKey, expectedVersion?: string, options?: OperationOptions): Promise<DeleteOutcome> {
    const deleted = await super.delete(key, expectedVersion, options);
    if (deleted.status === "deleted") await this.#legacy.delete(key, undefined, options);
    return deleted;
  }
}

/** A 0.1 record's fields in today's layout (the codec then checks them as it checks any record). */
function todaysFields({ fence, sequencenumber, offset, enqueuedtime }: RecordFields): RecordFields {
  const ephfence = fence ?? "";
  if (sequencenumber === undefined && offset === undefined && enqueuedtime === undefined) {
    return { sequencenumber: NO_POSITION, offset: NO_POSITION, ephfence };
  }
  return { sequencenumber: sequencenumber ?? "", offset: offset ?? "", ephfence, ephenqueuedtime: enqueuedtime ?? "" };
}
