import { BlobRecordStore } from "@eph/blob-common";
import type { ListRecordsOptions, OperationOptions, RecordKey, RecordScope, VersionedRecord } from "@eph/core";

/**
 * The leaser's {@link BlobRecordStore}: lease blobs eph 0.1 wrote, before records had a format (metadata
 * `epoch`, and `owner` only while owned), read as format 1 with their epoch and owner. An upgrade thus
 * keeps every lease's epoch, which the partition's checkpoint fence is compared with: a lease started
 * afresh at epoch 0 would find its checkpoints fenced. The next write stores the current format.
 */
export class LeaseRecords extends BlobRecordStore {
  /** @inheritdoc */
  override async read(key: RecordKey, options?: OperationOptions): Promise<VersionedRecord | undefined> {
    const record = await super.read(key, options);
    return record && upgraded(record);
  }

  /** @inheritdoc */
  override async list(scope: RecordScope, options: ListRecordsOptions): Promise<VersionedRecord[]> {
    return (await super.list(scope, options)).map(upgraded);
  }
}

function upgraded(record: VersionedRecord): VersionedRecord {
  const { format, epoch } = record.fields;
  if (record.kind !== "lease" || format !== undefined || epoch === undefined) return record;
  return { ...record, fields: { format: "1", owner: "", ...record.fields } };
}
