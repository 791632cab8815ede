import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeRequire } from "./module-location.js";

/** Account name of the Azure Storage emulator (public, documented by Microsoft). */
export const AZURITE_ACCOUNT_NAME = "devstoreaccount1";
/** Account key of the Azure Storage emulator: public and documented, so printing it is harmless. */
export const AZURITE_ACCOUNT_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** Where to run Azurite. */
export interface AzuriteOptions {
  /** Interface to listen on. Default 127.0.0.1. */
  readonly host?: string;
  /** Blob service port; 0 picks a free one. Default 0. */
  readonly blobPort?: number;
  /** Table service port; 0 picks a free one. Default 0. */
  readonly tablePort?: number;
}

/** Azurite's blob and table services running in this process. */
export interface AzuriteServers {
  /** e.g. `http://127.0.0.1:10000/devstoreaccount1`. */
  readonly blobEndpoint: string;
  /** e.g. `http://127.0.0.1:10002/devstoreaccount1`. */
  readonly tableEndpoint: string;
  /** A Storage connection string naming both endpoints. */
  readonly connectionString: string;
  /** Stops both services and drops their in-memory data. */
  close(): Promise<void>;
}

interface AzuriteServer {
  start(): Promise<void>;
  close(): Promise<void>;
  clean(): Promise<void>;
  getHttpServerAddress(): string;
}
type ServerClass = new (config: unknown) => AzuriteServer;
type ConfigClass = new (...args: unknown[]) => unknown;

function load<T>(path: string): T {
  return (nodeRequire(path) as { default: T }).default;
}

function endpoint(server: AzuriteServer): string {
  return `http://${server.getHttpServerAddress().replace(/^https?:\/\//, "")}/${AZURITE_ACCOUNT_NAME}`;
}

/**
 * Starts Azurite's blob and table services in this process with in-memory storage, without telemetry
 * and without the API version check (the Storage SDK may be newer than Azurite). Azurite's main module
 * cannot be loaded outside VS Code, so the servers come from their own modules; the configuration
 * constructors take positional arguments, named in the comments.
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<AzuriteServers> {
  const host = options.host ?? "127.0.0.1";
  const BlobServer = load<ServerClass>("azurite/dist/src/blob/BlobServer");
  const BlobConfiguration = load<ConfigClass>("azurite/dist/src/blob/BlobConfiguration");
  const TableServer = load<ServerClass>("azurite/dist/src/table/TableServer");
  const TableConfiguration = load<ConfigClass>("azurite/dist/src/table/TableConfiguration");
  // With in-memory persistence these paths are only names; nothing is written there.
  const dir = join(tmpdir(), `eph-azurite-${randomUUID()}`);
  const blob = new BlobServer(
    new BlobConfiguration(
      host,
      options.blobPort ?? 0,
      undefined, // keep-alive timeout
      join(dir, "blob-meta.json"),
      join(dir, "blob-extent.json"),
      [], // persistence locations
      false, // access log
      undefined, // access log stream
      false, // debug log
      undefined, // debug log path
      true, // loose
      true, // skip API version check
      "", // cert
      "", // key
      "", // password
      undefined, // OAuth
      false, // disable product-style URLs
      true, // in-memory persistence
    ),
  );
  const table = new TableServer(
    new TableConfiguration(
      host,
      options.tablePort ?? 0,
      undefined, // keep-alive timeout
      join(dir, "table.json"),
      false, // debug log
      false, // access log
      undefined, // access log stream
      undefined, // debug log path
      true, // loose
      true, // skip API version check
      "", // cert
      "", // key
      "", // password
      undefined, // OAuth
      false, // disable product-style URLs
      true, // in-memory persistence
    ),
  );
  await blob.start();
  try {
    await table.start();
  } catch (error) {
    await blob.close().catch(() => undefined);
    throw error;
  }
  const blobEndpoint = endpoint(blob);
  const tableEndpoint = endpoint(table);
  return {
    blobEndpoint,
    tableEndpoint,
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${AZURITE_ACCOUNT_KEY};` +
      `BlobEndpoint=${blobEndpoint};TableEndpoint=${tableEndpoint};`,
    async close() {
      await Promise.allSettled([blob.close(), table.close()]);
      await Promise.allSettled([blob.clean(), table.clean()]);
    },
  };
}
