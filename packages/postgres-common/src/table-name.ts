import { EphError } from "@eph/core";

// Lower-case only, so that the quoted name the adapter uses and the unquoted name an operator types in
// psql are the same table; 63 bytes is PostgreSQL's identifier limit. An optional schema goes in front.
const PART = "[a-z_][a-z0-9_]{0,62}";
const TABLE_NAME = new RegExp(`^(?:${PART}\\.)?${PART}$`);

/**
 * Checks an option naming a table (`InvalidOption` naming `option` unless it is `table` or
 * `schema.table` of lower-case letters, digits and underscores) and returns it quoted for SQL.
 */
export function quotedTableName(option: string, value: unknown): string {
  if (typeof value !== "string" || !TABLE_NAME.test(value)) {
    throw new EphError(
      "InvalidOption",
      `${option} ${JSON.stringify(value)} is not a table name PostgreSQL and eph agree on (lower-case letters, digits and underscores, not starting with a digit, at most 63 characters, optionally "schema.table").`,
    );
  }
  return value
    .split(".")
    .map((part) => `"${part}"`)
    .join(".");
}
