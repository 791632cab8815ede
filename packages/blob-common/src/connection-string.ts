import { BlobServiceClient, type ContainerClient, type StoragePipelineOptions } from "@azure/storage-blob";
import { checkClient, clientFromConnectionString, EphError } from "@eph/core";

// The service's rule: 3-63 lower-case letters, digits and single hyphens, starting and ending with a
// letter or digit. `$root` is the account's root container.
const CONTAINER_NAME = /^(?:[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}|\$root)$/;

/** Throws `InvalidOption` naming `containerName` unless the service would accept it. */
export function validateContainerName(containerName: unknown): string {
  if (typeof containerName !== "string" || !CONTAINER_NAME.test(containerName)) {
    throw new EphError(
      "InvalidOption",
      `containerName ${JSON.stringify(containerName)} is not a valid container name (3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit).`,
    );
  }
  return containerName;
}

/**
 * Throws `InvalidOption` unless `client` looks like a `ContainerClient` (core's `checkClient`). Its
 * container name is not checked: the SDK parses it from the URL, which for custom endpoints with a path
 * can name a path part.
 */
export function validateContainerClient(client: unknown): ContainerClient {
  const methods = ["getBlockBlobClient", "listBlobsFlat"];
  return checkClient(client, methods, "containerClient must be a ContainerClient from @azure/storage-blob");
}

/** Options for building a container client from a connection string. */
export interface ConnectionOptions {
  /** Passed to the SDK's pipeline (retry options, proxy, keep-alive, user agent). */
  clientOptions?: StoragePipelineOptions;
  /**
   * Allows a plain-http endpoint that is not on loopback. Off by default: a SAS token would travel in
   * clear text.
   */
  allowInsecureConnection?: boolean;
}

const spec = {
  what: 'The Azure Storage connection string (argument "connectionString" of the blob leaser or checkpointer)',
  expected:
    "DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…, a SAS connection string, or UseDevelopmentStorage=true",
  service: "blob",
  allowInsecure: "set allowInsecureConnection",
};

/**
 * Builds a `ContainerClient` from a storage connection string (account key, SAS, or
 * `UseDevelopmentStorage=true`) through core's `clientFromConnectionString`. The container name is
 * checked before anything else; plain-http endpoints are accepted only on loopback (Azurite) unless the
 * caller allows them.
 */
export function containerClientFromConnectionString(
  connectionString: unknown,
  containerName: unknown,
  options: ConnectionOptions = {},
): ContainerClient {
  const name = validateContainerName(containerName);
  const { client } = clientFromConnectionString(
    connectionString,
    spec,
    (text) => BlobServiceClient.fromConnectionString(text, options.clientOptions),
    (service) => service.url,
    options.allowInsecureConnection === true,
  );
  return client.getContainerClient(name);
}

/**
 * The secrets a `ContainerClient` holds, for redaction: the account key of a shared-key credential and
 * the SAS of its URL (the whole query and its `sig`). Read, never shown.
 */
export function clientSecrets(client: ContainerClient): string[] {
  const secrets: string[] = [];
  const credential = client.credential as unknown as { accountKey?: unknown };
  if (Buffer.isBuffer(credential.accountKey)) secrets.push(credential.accountKey.toString("base64"));
  const query = new URL(client.url).search.slice(1);
  if (query !== "") {
    secrets.push(query, decodeURIComponent(query));
    const sig = new URLSearchParams(query).get("sig");
    if (sig) secrets.push(sig, encodeURIComponent(sig));
  }
  return secrets.filter((s) => s.length >= 8);
}
