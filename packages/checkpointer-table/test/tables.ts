import { randomUUID } from "node:crypto";
import {
  AzureNamedKeyCredential,
  generateAccountSas,
  TableClient,
  type TableServiceClientOptions,
} from "@azure/data-tables";
import type { HostInfo } from "@eph/core";
import { AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME, type AzuriteInstance } from "@eph/testing";

/** A fresh table name per test, so tests never see each other's entities. */
export function freshTableName(): string {
  return `t${randomUUID().replace(/-/g, "").slice(0, 20)}`;
}

/** A connection string for Azurite's table service at `tableEndpoint` (e.g. a fault proxy's). */
export function connectionStringFor(tableEndpoint: string): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${AZURITE_ACCOUNT_KEY};TableEndpoint=${tableEndpoint};`;
}

/** Fast, few retries: tests must not wait out the SDK's default back-off. */
export const quickRetries: TableServiceClientOptions = {
  retryOptions: { maxRetries: 2, retryDelayInMs: 5, maxRetryDelayInMs: 20 },
};

/** A raw client on `tableName`, for writing and reading entities behind an adapter's back. */
export function rawClient(azurite: AzuriteInstance, tableName: string, endpoint = azurite.tableEndpoint): TableClient {
  return TableClient.fromConnectionString(connectionStringFor(endpoint), tableName, {
    ...quickRetries,
    allowInsecureConnection: true,
  });
}

/** Counts HTTP attempts (each retry included) a client sends, by method. */
export interface CallCounter {
  readonly total: number;
  readonly byMethod: Readonly<Record<string, number>>;
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

/** Host info for a host named `hostName` on a hub shared by the tests. */
export function hostInfo(hostName: string, overrides: Partial<HostInfo> = {}): HostInfo {
  return {
    hostName,
    fullyQualifiedNamespace: "contoso.servicebus.windows.net",
    eventHubName: "orders",
    consumerGroup: "$Default",
    ...overrides,
  };
}

/** An account SAS (all table permissions, one hour) for Azurite's well-known account. */
export function accountSas(): string {
  return generateAccountSas(new AzureNamedKeyCredential(AZURITE_ACCOUNT_NAME, AZURITE_ACCOUNT_KEY), {
    expiresOn: new Date(Date.now() + 3_600_000),
    permissions: { query: true, write: true, delete: true, list: true, add: true, update: true },
    resourceTypes: "sco",
  });
}

/** A SAS connection string (no account key in it) for Azurite's table endpoint. */
export function sasConnectionStringFor(tableEndpoint: string, sas: string): string {
  return `TableEndpoint=${tableEndpoint};SharedAccessSignature=${sas}`;
}

/** The `sig` of a SAS: the part that is a bearer secret. */
export function sasSignature(sas: string): string {
  return new URLSearchParams(sas).get("sig") ?? "";
}
