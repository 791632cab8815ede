import { describeCheckpointerConformance, type StoreFixture } from "@eph/conformance";
import type { Checkpointer } from "@eph/core";
import { ephKeyLayout } from "@eph/table-common";
import { type AzuriteInstance, freshTestTable, startAzurite, type TestAuth, tableQuickRetries } from "@eph/testing";
import { afterAll, beforeAll } from "vitest";
import { type CheckpointLayout, officialKeys } from "../src/checkpoint-layout.js";
import { TableCheckpointer } from "../src/index.js";

let azurite: AzuriteInstance;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.close();
});

async function fixture(auth: TestAuth, layout: CheckpointLayout): Promise<StoreFixture<Checkpointer>> {
  const { tableName, raw, connectionString, secrets } = freshTestTable(azurite, auth);
  const keys = layout === "eph" ? ephKeyLayout : officialKeys;
  return {
    create: () =>
      TableCheckpointer.fromConnectionString(connectionString, tableName, { clientOptions: tableQuickRetries, layout }),
    async writeCorruptRecord(info, partitionId) {
      // Right keys, wrong property types: what another tool writing into the table might leave.
      await raw.upsertEntity(
        {
          partitionKey: keys.partitionKey(info, "checkpoint"),
          rowKey: keys.rowKey(partitionId),
          fence: "high",
          ephfence: "high",
          sequencenumber: 12,
          sequenceNumber: "12",
        },
        "Replace",
      );
    },
    deleteStoreOutOfBand: () => raw.deleteTable(),
    teardown: () => raw.deleteTable(),
    secrets,
  };
}

describeCheckpointerConformance("TableCheckpointer (eph layout, account key)", () => fixture("key", "eph"), {
  timeout: 20_000,
});
describeCheckpointerConformance(
  "TableCheckpointer (checkpointstore-table layout, SAS)",
  () => fixture("sas", "checkpointstore-table"),
  { timeout: 20_000 },
);
