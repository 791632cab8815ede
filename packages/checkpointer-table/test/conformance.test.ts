import { describeCheckpointerConformance, type StoreFixture } from "@eph/conformance";
import type { Checkpointer } from "@eph/core";
import {
  AZURITE_ACCOUNT_KEY,
  type AzuriteInstance,
  freshTableName,
  rawTableClient,
  sasSignature,
  startAzurite,
  tableAccountSas,
  tableConnectionString,
  tableQuickRetries,
  tableSasConnectionString,
} from "@eph/testing";
import { afterAll, beforeAll } from "vitest";
import { type CheckpointLayout, layoutCodec } from "../src/checkpoint-layout.js";
import { TableCheckpointer } from "../src/index.js";

let azurite: AzuriteInstance;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.close();
});

async function fixture(auth: "key" | "sas", layout: CheckpointLayout): Promise<StoreFixture<Checkpointer>> {
  const tableName = freshTableName();
  const raw = rawTableClient(azurite, tableName);
  const sas = tableAccountSas();
  const connectionString =
    auth === "key"
      ? tableConnectionString(azurite.tableEndpoint)
      : tableSasConnectionString(azurite.tableEndpoint, sas);
  const codec = layoutCodec(layout);
  return {
    create: () =>
      TableCheckpointer.fromConnectionString(connectionString, tableName, { clientOptions: tableQuickRetries, layout }),
    async writeCorruptRecord(info, partitionId) {
      // Right keys, wrong property types: what another tool writing into the table might leave.
      await raw.upsertEntity(
        {
          partitionKey: codec.partitionKey(info),
          rowKey: codec.rowKey(partitionId),
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
    secrets: auth === "key" ? [AZURITE_ACCOUNT_KEY, connectionString] : [sasSignature(sas), connectionString],
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
