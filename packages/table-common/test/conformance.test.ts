import { describeRecordStoreConformance } from "@eph/conformance";
import { silentLogger } from "@eph/core";
import { type AzuriteInstance, freshTestTable, startAzurite, tableQuickRetries } from "@eph/testing";
import { afterAll, beforeAll } from "vitest";
import { ephKeyLayout, TableRecordStore, tableClientFromConnectionString } from "../src/index.js";

let azurite: AzuriteInstance;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.close();
});

describeRecordStoreConformance(
  "TableRecordStore",
  async () => {
    const { tableName, raw, connectionString, secrets } = freshTestTable(azurite, "sas");
    return {
      create: () =>
        new TableRecordStore(tableClientFromConnectionString(connectionString, tableName, tableQuickRetries), {
          logger: silentLogger,
        }),
      async writeCorruptRecord(key) {
        // Right keys, a property that is not a string: what another tool writing into the table might leave.
        const partitionKey = ephKeyLayout.partitionKey(key.scope, key.kind);
        await raw.upsertEntity({ partitionKey, rowKey: ephKeyLayout.rowKey(key.id), owner: 7 }, "Replace");
      },
      deleteStoreOutOfBand: () => raw.deleteTable(),
      teardown: () => raw.deleteTable(),
      secrets,
    };
  },
  { timeout: 20_000 },
);
