import { describeLeaserConformance, type StoreFixture } from "@eph/conformance";
import type { Leaser } from "@eph/core";
import { ephKeyLayout } from "@eph/table-common";
import { type AzuriteInstance, freshTestTable, startAzurite, type TestAuth, tableQuickRetries } from "@eph/testing";
import { afterAll, beforeAll } from "vitest";
import { TableLeaser } from "../src/index.js";

let azurite: AzuriteInstance;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.close();
});

async function fixture(auth: TestAuth, groupWrites: boolean): Promise<StoreFixture<Leaser>> {
  const { tableName, raw, connectionString, secrets } = freshTestTable(azurite, auth);
  return {
    create: () =>
      TableLeaser.fromConnectionString(connectionString, tableName, { clientOptions: tableQuickRetries, groupWrites }),
    async writeCorruptRecord(info, partitionId) {
      // Right keys, wrong property types: what another tool writing into the table might leave.
      await raw.upsertEntity(
        {
          partitionKey: ephKeyLayout.partitionKey(info, "lease"),
          rowKey: ephKeyLayout.rowKey(partitionId),
          owner: 7,
          epoch: "x",
        },
        "Replace",
      );
    },
    async writeCorruptHostRecord(info) {
      await raw.upsertEntity(
        {
          partitionKey: ephKeyLayout.partitionKey(info, "host"),
          rowKey: ephKeyLayout.rowKey(info.hostName),
          instance: 7,
          beat: "x",
        },
        "Replace",
      );
    },
    deleteStoreOutOfBand: () => raw.deleteTable(),
    teardown: () => raw.deleteTable(),
    secrets,
  };
}

describeLeaserConformance("TableLeaser (account key, grouped writes)", () => fixture("key", true), { timeout: 20_000 });
describeLeaserConformance("TableLeaser (SAS, single writes)", () => fixture("sas", false), { timeout: 20_000 });
