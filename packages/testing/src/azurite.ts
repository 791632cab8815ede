import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const require = createRequire(import.meta.url);

/** The well-known development account of the Azure Storage emulator (public, documented by Microsoft). */
export const AZURITE_ACCOUNT_NAME = "devstoreaccount1";
/** The well-known development key of the Azure Storage emulator (public, documented by Microsoft). */
export const AZURITE_ACCOUNT_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** A running Azurite (blob and table services) on loopback. */
export interface AzuriteInstance {
  /** Blob service endpoint, e.g. `http://127.0.0.1:54321/devstoreaccount1`. */
  readonly blobEndpoint: string;
  /** Table service endpoint, e.g. `http://127.0.0.1:54322/devstoreaccount1`. */
  readonly tableEndpoint: string;
  /** A storage connection string naming both endpoints explicitly. */
  readonly connectionString: string;
  /** Stops both services. */
  close(): Promise<void>;
}

interface AzuriteServer {
  start(): Promise<void>;
  close(): Promise<void>;
  clean(): Promise<void>;
  getHttpServerAddress(): string;
}
type ServerCtor = new (config: unknown) => AzuriteServer;
type ConfigCtor = new (...args: unknown[]) => unknown;

function load<T>(path: string): T {
  const mod = require(path) as { default: T };
  return mod.default;
}

/**
 * Starts Azurite's blob and table services in this process, on 127.0.0.1 with ports chosen by the
 * operating system and in-memory persistence. The package's main module cannot be required (it needs
 * VS Code), so the servers are loaded from their own modules.
 */
export async function startAzurite(): Promise<AzuriteInstance> {
  const BlobServer = load<ServerCtor>("azurite/dist/src/blob/BlobServer");
  const BlobConfiguration = load<ConfigCtor>("azurite/dist/src/blob/BlobConfiguration");
  const TableServer = load<ServerCtor>("azurite/dist/src/table/TableServer");
  const TableConfiguration = load<ConfigCtor>("azurite/dist/src/table/TableConfiguration");
  const dir = join(tmpdir(), `eph-azurite-${randomUUID()}`);
  const blobConfig = new BlobConfiguration(
    "127.0.0.1",
    0,
    undefined,
    join(dir, "blob-meta.json"),
    join(dir, "blob-extent.json"),
    [],
    false,
    undefined,
    false,
    undefined,
    true,
    true,
    "",
    "",
    "",
    undefined,
    false,
    true,
  );
  const tableConfig = new TableConfiguration(
    "127.0.0.1",
    0,
    undefined,
    join(dir, "table.json"),
    false,
    false,
    undefined,
    undefined,
    true,
    true,
    "",
    "",
    "",
    undefined,
    false,
    true,
  );
  const blob = new BlobServer(blobConfig);
  const table = new TableServer(tableConfig);
  await blob.start();
  await table.start();
  const blobEndpoint = `http://${blob.getHttpServerAddress().replace(/^https?:\/\//, "")}/${AZURITE_ACCOUNT_NAME}`;
  const tableEndpoint = `http://${table.getHttpServerAddress().replace(/^https?:\/\//, "")}/${AZURITE_ACCOUNT_NAME}`;
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
