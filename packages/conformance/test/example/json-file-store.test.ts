// json-file-store.test.ts: the three conformance suites, one fresh file per test.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  describeCheckpointerConformance,
  describeLeaserConformance,
  describeRecordStoreConformance,
} from "@eph/conformance";
import type { HostInfo, RecordKey } from "@eph/core";
import { JsonFileCheckpointer, JsonFileLeaser, JsonFileRecordStore } from "./json-file-store.js";

/** A file no other test uses; `corrupt` overwrites a record with fields that are a number, as a buggy writer might. */
async function freshFile() {
  const dir = await mkdtemp(join(tmpdir(), "eph-json-"));
  const path = join(dir, "records.json");
  return {
    path,
    async corrupt(key: RecordKey) {
      const store = new JsonFileRecordStore(path);
      await store.ensureStore();
      await store.create(key, {}).catch(() => {});
      const records = JSON.parse(await readFile(path, "utf8"));
      for (const record of Object.values<{ id: string; fields: unknown; version: string }>(records)) {
        if (record.id === key.id) Object.assign(record, { fields: 42, version: `${record.version}-overwritten` });
      }
      await writeFile(path, JSON.stringify(records));
    },
    deleteStoreOutOfBand: () => rm(path, { force: true }),
    teardown: () => rm(dir, { recursive: true, force: true }),
  };
}

const recordOf = (info: HostInfo, kind: RecordKey["kind"], id: string): RecordKey => ({ scope: info, kind, id });

describeRecordStoreConformance("JsonFileRecordStore", async () => {
  const file = await freshFile();
  return { ...file, create: () => new JsonFileRecordStore(file.path), writeCorruptRecord: file.corrupt };
});

describeLeaserConformance("JsonFileLeaser", async () => {
  const file = await freshFile();
  return {
    ...file,
    create: () => new JsonFileLeaser(file.path),
    writeCorruptRecord: (info, partitionId) => file.corrupt(recordOf(info, "lease", partitionId)),
  };
});

describeCheckpointerConformance("JsonFileCheckpointer", async () => {
  const file = await freshFile();
  return {
    ...file,
    create: () => new JsonFileCheckpointer(file.path),
    writeCorruptRecord: (info, partitionId) => file.corrupt(recordOf(info, "checkpoint", partitionId)),
  };
});
