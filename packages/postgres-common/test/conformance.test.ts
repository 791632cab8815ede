import { describeRecordStoreConformance } from "@eph/conformance";
import { silentLogger } from "@eph/core";
import { freshPostgresTableName, type PostgresServer, startPostgres } from "@eph/testing";
import { afterAll, beforeAll } from "vitest";
import { PgRecordStore } from "../src/index.js";

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server.close();
});

describeRecordStoreConformance("PgRecordStore", async () => {
  const tableName = freshPostgresTableName();
  return {
    create: () => PgRecordStore.fromConnectionString(server.connectionString, { tableName, logger: silentLogger }),
    async writeCorruptRecord(key) {
      await server.query(
        `INSERT INTO "${tableName}" (namespace, event_hub, consumer_group, kind, id, fields, version) VALUES ($1, $2, $3, $4, $5, '{not json', 1)`,
        [
          key.scope.fullyQualifiedNamespace.toLowerCase(),
          key.scope.eventHubName.toLowerCase(),
          key.scope.consumerGroup.toLowerCase(),
          key.kind,
          key.id,
        ],
      );
    },
    deleteStoreOutOfBand: async () => {
      await server.query(`DROP TABLE IF EXISTS "${tableName}"`);
    },
    teardown: async () => {
      await server.query(`DROP TABLE IF EXISTS "${tableName}"`);
    },
    secrets: [server.password, server.connectionString],
  };
});
