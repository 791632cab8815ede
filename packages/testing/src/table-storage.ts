import { randomUUID } from "node:crypto";
import {
  AzureNamedKeyCredential,
  generateAccountSas,
  TableClient,
  type TableServiceClientOptions,
} from "@azure/data-tables";
import { AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME, type AzuriteInstance } from "./azurite.js";
import type { TestAuth } from "./blob-storage.js";
import { sasSignature } from "./sas.js";

/** A fresh table name per test, so tests never see each other's entities. */
export function freshTableName(): string {
  return `t${randomUUID().replace(/-/g, "").slice(0, 20)}`;
}

/** An account-key connection string for Azurite's table service at `tableEndpoint` (e.g. a fault proxy's). */
export function tableConnectionString(tableEndpoint: string): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${AZURITE_ACCOUNT_KEY};TableEndpoint=${tableEndpoint};`;
}

/** Table client options with fast, few retries: tests must not wait out the SDK's default back-off. */
export const tableQuickRetries: TableServiceClientOptions = {
  retryOptions: { maxRetries: 2, retryDelayInMs: 5, maxRetryDelayInMs: 20 },
};

/**
 * A raw client on `tableName`, for writing and reading entities behind an adapter's back. It talks to
 * `endpoint` (default: Azurite's table endpoint), e.g. a fault proxy's.
 */
export function rawTableClient(
  azurite: AzuriteInstance,
  tableName: string,
  endpoint = azurite.tableEndpoint,
): TableClient {
  return TableClient.fromConnectionString(tableConnectionString(endpoint), tableName, {
    ...tableQuickRetries,
    allowInsecureConnection: true,
  });
}

/** Counts HTTP attempts (each retry included) a client sends, by method. */
export interface CallCounter {
  /** Attempts of every method. */
  readonly total: number;
  /** Attempts per HTTP method, e.g. `{ GET: 1, PUT: 2 }`. */
  readonly byMethod: Readonly<Record<string, number>>;
  /** Starts counting from zero. */
  reset(): void;
}

/** Adds a counting policy to `client`'s pipeline, next to the transport so that every attempt counts. */
export function countCalls(client: TableClient): CallCounter {
  let byMethod: Record<string, number> = {};
  client.pipeline.addPolicy(
    {
      name: "eph-test-call-counter",
      sendRequest(request, next) {
        byMethod[request.method] = (byMethod[request.method] ?? 0) + 1;
        return next(request);
      },
    },
    { afterPhase: "Retry" },
  );
  return {
    get total() {
      return Object.values(byMethod).reduce((a, b) => a + b, 0);
    },
    get byMethod() {
      return byMethod;
    },
    reset() {
      byMethod = {};
    },
  };
}

/** An account SAS (all table permissions, one hour) for Azurite's well-known account. */
export function tableAccountSas(): string {
  return generateAccountSas(new AzureNamedKeyCredential(AZURITE_ACCOUNT_NAME, AZURITE_ACCOUNT_KEY), {
    expiresOn: new Date(Date.now() + 3_600_000),
    permissions: { query: true, write: true, delete: true, list: true, add: true, update: true },
    resourceTypes: "sco",
  });
}

/** A SAS connection string (no account key in it) for Azurite's table endpoint. */
export function tableSasConnectionString(tableEndpoint: string, sas: string): string {
  return `TableEndpoint=${tableEndpoint};SharedAccessSignature=${sas}`;
}

/** A fresh table (not created yet) and the ways a test reaches it. */
export interface TestTable {
  /** The table's name, unique to this test. */
  readonly tableName: string;
  /** A key-authenticated client on the table, for acting behind the adapter's back. */
  readonly raw: TableClient;
  /** The connection string the adapter under test gets: account key or account SAS, as asked. */
  readonly connectionString: string;
  /** What must never appear in errors, logs or records: the key or the SAS signature, and the connection string. */
  readonly secrets: readonly string[];
}

/** A fresh table name on `azurite`'s table service, with clients and secrets for `auth`. */
export function freshTestTable(azurite: AzuriteInstance, auth: TestAuth): TestTable {
  const tableName = freshTableName();
  const sas = tableAccountSas();
  const connectionString =
    auth === "key"
      ? tableConnectionString(azurite.tableEndpoint)
      : tableSasConnectionString(azurite.tableEndpoint, sas);
  return {
    tableName,
    raw: rawTableClient(azurite, tableName),
    connectionString,
    secrets: [auth === "key" ? AZURITE_ACCOUNT_KEY : sasSignature(sas), connectionString],
  };
}
