import { describeLeaserConformance, type StoreFixture } from "@eph/conformance";
import type { HostInfo, Leaser } from "@eph/core";
import { freshPostgresTableName, type PostgresServer, startPostgres } from "@eph/testing";
import { afterAll, beforeAll } from "vitest";
import { PostgresLeaser } from "../src/index.js";

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server.close();
});

/** Writes a record the adapter cannot parse where it would look for `kind` `id` of `info`'s scope. */
async function writeCorrupt(tableName: string, info: HostInfo, kind: "lease" | "host", id: string): Promise<void> {
  const adapter = PostgresLeaser.fromConnectionString(server.connectionString, { tableName });
  await adapter.ensureStore();
  await adapter.close();
  const scope = [info.fullyQualifiedNamespace, info.eventHubName, info.consumerGroup].map((s) => s.toLowerCase());
  await server.query(
    `INSERT INTO "${tableName}" (namespace, event_hub, consumer_group, kind, id, fields, version) VALUES ($1, $2, $3, $4, $5, '{not json', 1) ON CONFLICT (namespace, event_hub, consumer_group, kind, id) DO UPDATE SET fields = '{not json', version = pg_current_xact_id()::text::bigint`,
    [...scope, kind, id],
  );
}

async function fixture(): Promise<StoreFixture<Leaser>> {
  const tableName = freshPostgresTableName();
  return {
    create: () => PostgresLeaser.fromConnectionString(server.connectionString, { tableName }),
    writeCorruptRecord: (info, partitionId) => writeCorrupt(tableName, info, "lease", partitionId),
    writeCorruptHostRecord: (info) => writeCorrupt(tableName, info, "host", info.hostName),
    deleteStoreOutOfBand: async () => {
      await server.query(`DROP TABLE IF EXISTS "${tableName}"`);
    },
    teardown: async () => {
      await server.query(`DROP TABLE IF EXISTS "${tableName}"`);
    },
    secrets: [server.password, server.connectionString],
  };
}

describeLeaserConformance("PostgresLeaser", fixture);
