import { randomUUID } from "node:crypto";
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  BlobServiceClient,
  type ContainerClient,
  ContainerSASPermissions,
  generateAccountSASQueryParameters,
  generateBlobSASQueryParameters,
  type StoragePipelineOptions,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import { AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME } from "./azurite.js";
import { sasSignature } from "./sas.js";

/** A fresh container name per test, so tests never see each other's blobs. */
export function freshContainerName(): string {
  return `c${randomUUID().replace(/-/g, "").slice(0, 24)}`;
}

/** An account-key connection string for Azurite's blob service at `blobEndpoint` (e.g. a fault proxy's). */
export function blobConnectionString(blobEndpoint: string): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${AZURITE_ACCOUNT_KEY};BlobEndpoint=${blobEndpoint};`;
}

/** Blob client options with fast, few retries: tests must not wait out the SDK's default back-off. */
export const blobQuickRetries: StoragePipelineOptions = {
  retryOptions: { maxTries: 3, retryDelayInMs: 5, maxRetryDelayInMs: 20 },
};

/** A raw client on `containerName`, for writing and reading blobs behind an adapter's back. */
export function rawContainer(blobEndpoint: string, containerName: string): ContainerClient {
  return BlobServiceClient.fromConnectionString(
    blobConnectionString(blobEndpoint),
    blobQuickRetries,
  ).getContainerClient(containerName);
}

/** An account SAS (all blob permissions, one hour) for Azurite's well-known account. */
export function blobAccountSas(): string {
  return generateAccountSASQueryParameters(
    {
      expiresOn: new Date(Date.now() + 3_600_000),
      permissions: AccountSASPermissions.parse("rwdlac"),
      resourceTypes: AccountSASResourceTypes.parse("sco").toString(),
      services: AccountSASServices.parse("b").toString(),
    },
    new StorageSharedKeyCredential(AZURITE_ACCOUNT_NAME, AZURITE_ACCOUNT_KEY),
  ).toString();
}

/**
 * A SAS scoped to one container (read, add, create, write, delete, list blobs; one hour): the least
 * privilege eph needs. It cannot create, delete or read the properties of the container itself.
 */
export function containerSas(containerName: string): string {
  return generateBlobSASQueryParameters(
    {
      containerName,
      permissions: ContainerSASPermissions.parse("racwdl"),
      expiresOn: new Date(Date.now() + 3_600_000),
    },
    new StorageSharedKeyCredential(AZURITE_ACCOUNT_NAME, AZURITE_ACCOUNT_KEY),
  ).toString();
}

/** A SAS connection string (no account key in it) for Azurite's blob endpoint. */
export function blobSasConnectionString(blobEndpoint: string, sas: string): string {
  return `BlobEndpoint=${blobEndpoint};SharedAccessSignature=${sas}`;
}

/** How a test's adapter authenticates to Azurite: with the account key or with an account SAS. */
export type TestAuth = "key" | "sas";

/** A fresh container (not created yet) and the ways a test reaches it. */
export interface BlobTestContainer {
  /** The container's name, unique to this test. */
  readonly containerName: string;
  /** A key-authenticated client on the container, for acting behind the adapter's back. */
  readonly raw: ContainerClient;
  /** The connection string the adapter under test gets: account key or account SAS, as asked. */
  readonly connectionString: string;
  /** What must never appear in errors, logs or records: the key or the SAS signature, and the connection string. */
  readonly secrets: readonly string[];
}

/** A fresh container name on Azurite's blob service at `blobEndpoint`, with clients and secrets for `auth`. */
export function freshBlobContainer(blobEndpoint: string, auth: TestAuth): BlobTestContainer {
  const containerName = freshContainerName();
  const sas = blobAccountSas();
  const connectionString =
    auth === "key" ? blobConnectionString(blobEndpoint) : blobSasConnectionString(blobEndpoint, sas);
  return {
    containerName,
    raw: rawContainer(blobEndpoint, containerName),
    connectionString,
    secrets: [auth === "key" ? AZURITE_ACCOUNT_KEY : sasSignature(sas), connectionString],
  };
}
