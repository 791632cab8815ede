import { TableClient, type TableServiceClientOptions } from "@azure/data-tables";
import { EphError, isLoopbackHost, requireConnectionString } from "@eph/core";

/** Table names: 3-63 letters and digits, starting with a letter (the service's rule). */
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

/** Throws `InvalidOption` naming `tableName` unless the service would accept it. */
export function validateTableName(tableName: unknown): string {
  if (typeof tableName !== "string" || !TABLE_NAME.test(tableName)) {
    throw new EphError(
      "InvalidOption",
      `tableName ${JSON.stringify(tableName)} is not a valid table name (3-63 letters and digits, starting with a letter).`,
    );
  }
  return tableName;
}

/**
 * Builds a `TableClient` from a storage connection string. Plain-http endpoints are allowed only on
 * loopback (Azurite, the storage emulator); a remote http endpoint still fails as the SDK decides,
 * so a typo can never send credentials over the network unencrypted. The connection string is never
 * quoted in errors.
 */
export function tableClientFromConnectionString(
  connectionString: unknown,
  tableName: unknown,
  clientOptions: TableServiceClientOptions = {},
): TableClient {
  const name = validateTableName(tableName);
  requireConnectionString(
    connectionString,
    'The Azure Table storage connection string (argument "connectionString" of the table leaser or checkpointer)',
    "DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…, a SAS connection string, or UseDevelopmentStorage=true",
  );
  let client: TableClient;
  try {
    client = TableClient.fromConnectionString(connectionString, name, clientOptions);
  } catch {
    throw new EphError(
      "InvalidConnectionString",
      "The connection string could not be parsed as an Azure Storage connection string (its contents are not shown).",
    );
  }
  let url: URL;
  try {
    url = new URL(client.url);
  } catch {
    throw new EphError("InvalidConnectionString", "The connection string does not name a valid table endpoint.");
  }
  if (url.protocol === "http:" && clientOptions.allowInsecureConnection === undefined) {
    if (!isLoopbackHost(url.hostname)) {
      throw new EphError(
        "InvalidConnectionString",
        `The table endpoint ${url.protocol}//${url.host} is plain http and not on loopback; use https (or pass clientOptions.allowInsecureConnection deliberately).`,
      );
    }
    return TableClient.fromConnectionString(connectionString, name, {
      ...clientOptions,
      allowInsecureConnection: true,
    });
  }
  return client;
}
