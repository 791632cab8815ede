import { TableClient, type TableServiceClientOptions } from "@azure/data-tables";
import { clientFromConnectionString, EphError } from "@eph/core";

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

const spec = {
  what: 'The Azure Table storage connection string (argument "connectionString" of the table leaser or checkpointer)',
  expected:
    "DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…, a SAS connection string, or UseDevelopmentStorage=true",
  service: "table",
  allowInsecure: "pass clientOptions.allowInsecureConnection",
};

/**
 * Builds a `TableClient` from a storage connection string through core's `clientFromConnectionString`.
 * Plain-http endpoints are allowed only on loopback (Azurite, the storage emulator), where the client is
 * told to accept them; a remote http endpoint fails unless `clientOptions.allowInsecureConnection` is set
 * (then the SDK decides), so a typo can never send credentials over the network unencrypted.
 */
export function tableClientFromConnectionString(
  connectionString: unknown,
  tableName: unknown,
  clientOptions: TableServiceClientOptions = {},
): TableClient {
  const name = validateTableName(tableName);
  const chosen = clientOptions.allowInsecureConnection;
  const create = (text: string, insecure = chosen) =>
    TableClient.fromConnectionString(text, name, { ...clientOptions, allowInsecureConnection: insecure });
  const connected = clientFromConnectionString(connectionString, spec, create, (c) => c.url, chosen !== undefined);
  return connected.loopbackHttp && chosen === undefined ? create(connectionString as string, true) : connected.client;
}
