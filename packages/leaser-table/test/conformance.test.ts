import { describeLeaserConformance, type StoreFixture } from "@eph/conformance";
import type { Leaser } from "@eph/core";
import { groupPartitionKey, partitionRowKey } from "@eph/table-common";
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
import { TableLeaser } from "../src/index.js";
import { LEASE_KIND } from "../src/table-leaser.js";

let azurite: AzuriteInstance;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.close();
});

async function fixture(auth: "key" | "sas", groupWrites: boolean): Promise<StoreFixture<Leaser>> {
  const tableName = freshTableName();
  const raw = rawTableClient(azurite, tableName);
  const sas = tableAccountSas();
  const connectionString =
    auth === "key"
      ? tableConnectionString(azurite.tableEndpoint)
      : tableSasConnectionString(azurite.tableEndpoint, sas);
  return {
    create: () =>
      TableLeaser.fromConnectionString(connectionString, tableName, { clientOptions: tableQuickRetries, groupWrites }),
    async writeCorruptRecord(info, partitionId) {
      // Right keys, wrong property types: what another tool writing into the table might leave.
      await raw.upsertEntity(
        {
          partitionKey: groupPartitionKey(info, LEASE_KIND),
          rowKey: partitionRowKey(partitionId),
          owner: 7,
          epoch: "x",
        },
        "Replace",
      );
    },
    deleteStoreOutOfBand: () => raw.deleteTable(),
    teardown: () => raw.deleteTable(),
    secrets: auth === "key" ? [AZURITE_ACCOUNT_KEY, connectionString] : [sasSignature(sas), connectionString],
  };
}

describeLeaserConformance("TableLeaser (account key, grouped writes)", () => fixture("key", true), { timeout: 20_000 });
describeLeaserConformance("TableLeaser (SAS, single writes)", () => fixture("sas", false), { timeout: 20_000 });
