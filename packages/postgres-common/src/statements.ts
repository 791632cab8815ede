/** The SQL of a record store, for one (already quoted) table. */
export interface Statements {
  /** The quoted table name, as `to_regclass` takes it. */
  readonly table: string;
  readonly createTable: string;
  readonly dropTable: string;
  readonly exists: string;
  readonly read: string;
  readonly create: string;
  readonly replace: string;
  readonly list: string;
  readonly delete: string;
  readonly deleteAt: string;
}

// The key's five parts are $1-$5 in every statement that names one record.
const KEY = "namespace = $1 AND event_hub = $2 AND consumer_group = $3 AND kind = $4 AND id = $5";

// A record's version is the id of the transaction that wrote it: every write is its own transaction,
// and transaction ids grow for the life of the cluster, so a version is never reused for a key, not
// even after the record (or the whole table) was deleted and created again. A per-row counter would
// start again at 1 and let a stale writer's compare-and-swap succeed on a newer record.
const VERSION = "pg_current_xact_id()::text::bigint";

/**
 * Builds the statements for `table`. Fields are JSON text, not jsonb: jsonb cannot hold `\u0000` or a
 * lone surrogate, and the contract lets field values be any string. `fields::jsonb` reads them in psql.
 */
export function recordStatements(table: string): Statements {
  return {
    table,
    createTable: `CREATE TABLE IF NOT EXISTS ${table} (
      namespace text NOT NULL, event_hub text NOT NULL, consumer_group text NOT NULL,
      kind text NOT NULL, id text NOT NULL, fields text NOT NULL, version bigint NOT NULL,
      PRIMARY KEY (namespace, event_hub, consumer_group, kind, id))`,
    dropTable: `DROP TABLE IF EXISTS ${table}`,
    exists: "SELECT to_regclass($1) IS NOT NULL AS exists",
    read: `SELECT fields, version FROM ${table} WHERE ${KEY}`,
    create: `INSERT INTO ${table} (namespace, event_hub, consumer_group, kind, id, fields, version)
      VALUES ($1, $2, $3, $4, $5, $6, ${VERSION}) ON CONFLICT DO NOTHING RETURNING version`,
    replace: `UPDATE ${table} SET fields = $6, version = ${VERSION} WHERE ${KEY} AND version = $7 RETURNING version`,
    list: `SELECT kind, id, fields, version FROM ${table}
      WHERE namespace = $1 AND event_hub = $2 AND consumer_group = $3 AND kind = ANY($4::text[])`,
    delete: `DELETE FROM ${table} WHERE ${KEY}`,
    deleteAt: `DELETE FROM ${table} WHERE ${KEY} AND version = $6`,
  };
}
