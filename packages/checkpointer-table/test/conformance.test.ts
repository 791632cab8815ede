import { describeCheckpointerConformance, type StoreFixture } from "@eph/conformance";
import type { Checkpointer } from "@eph/core";
import { AZURITE_ACCOUNT_KEY, type AzuriteInstance, startAzurite } from "@eph/testing";
import { afterAll, beforeAll } from "vitest";
import { type CheckpointLayout, layoutCodec } from "../src/checkpoint-layout.js";
import { TableCheckpointer } from "../src/index.js";
import {
  accountSas,
  connectionStringFor,
  freshTableName,
  quickRetries,
  rawClient,
  sasConnectionStringFor,
  sasSignature,
} from "./tables.js";

let azurite: AzuriteInstance;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.close();
});

async function fixture(auth: "key" | "sas", layout: CheckpointLayout): Promise<StoreFixture<Checkpointer>> {
  const tableName = freshTableName();
  const raw = rawClient(azurite, tableName);
  const sas = accountSas();
  const connectionString =
    auth === "key" ? connectionStringFor(azurite.tableEndpoint) : sasConnectionStringFor(azurite.tableEndpoint, sas);
  const codec = layoutCodec(layout);
  return {
    create: () =>
      TableCheckpointer.fromConnectionString(connectionString, tableName, { clientOptions: quickRetries, layout }),
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
