import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ContainerClient } from "@azure/storage-blob";
import type { HubOptions } from "@eph/hub-emulator";
import { AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME } from "@eph/testing";
import { RpcChild } from "./child-rpc.js";
import { CallCounter, type RoleOf, StorageFaults, type StorageProxy, startStorageProxy } from "./storage-proxy.js";

/** The services of a run: emulator, Azurite and producer in their own processes; storage proxies here. */
export interface BenchEnvironment {
  /** Scratch directory for delivery logs and worker output. */
  readonly dir: string;
  readonly emulator: RpcChild<{ port: number; connectionStrings: Record<string, string> }>;
  readonly producer: RpcChild<Record<string, never>>;
  /** Counts of every storage call made through a proxy. */
  readonly counter: CallCounter;
  /** Faults injected by every proxy created with `faultable`. */
  readonly faults: StorageFaults;
  /** A connection string straight to Azurite (not counted, no faults). */
  readonly directConnectionString: string;
  /** Event Hubs connection string of a hub. */
  hubConnectionString(hub: string): string;
  /**
   * A storage connection string whose blob and table endpoints are proxies counting calls under
   * `role` (a label or a function of the path), with faults if `faultable`.
   */
  proxiedConnectionString(role: string | RoleOf, options?: { faultable?: boolean }): Promise<string>;
  /** Creates a blob container (for the official store, which does not create its own). */
  createContainer(name: string): Promise<void>;
  close(): Promise<void>;
}

function storageConnectionString(blobEndpoint: string, tableEndpoint: string): string {
  return (
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${AZURITE_ACCOUNT_KEY};` +
    `BlobEndpoint=${blobEndpoint};TableEndpoint=${tableEndpoint};`
  );
}

/** Starts the emulator (with `hubs`), Azurite and the producer, each in a child process. */
export async function startBenchEnvironment(hubs: Record<string, HubOptions>): Promise<BenchEnvironment> {
  const dir = mkdtempSync(join(tmpdir(), "eph-bench-"));
  const [emulator, azurite] = await Promise.all([
    RpcChild.start<{ port: number; connectionStrings: Record<string, string> }>("emulator-process", { hubs }),
    RpcChild.start<{ blobEndpoint: string; tableEndpoint: string }>("azurite-process", null),
  ]);
  const producer = await RpcChild.start<Record<string, never>>("producer-process", {
    connectionStrings: emulator.info.connectionStrings,
  });
  const counter = new CallCounter();
  const faults = new StorageFaults();
  const proxies: StorageProxy[] = [];
  const { blobEndpoint, tableEndpoint } = azurite.info;
  const direct = storageConnectionString(blobEndpoint, tableEndpoint);
  return {
    dir,
    emulator,
    producer,
    counter,
    faults,
    directConnectionString: direct,
    hubConnectionString(hub) {
      const cs = emulator.info.connectionStrings[hub];
      if (!cs) throw new Error(`no hub ${hub}`);
      return cs;
    },
    async proxiedConnectionString(role, options = {}) {
      const common = { role, counter, ...(options.faultable ? { faults } : {}) };
      const blob = await startStorageProxy({ target: blobEndpoint, service: "blob", ...common });
      const table = await startStorageProxy({ target: tableEndpoint, service: "table", ...common });
      proxies.push(blob, table);
      return storageConnectionString(blob.endpoint, table.endpoint);
    },
    async createContainer(name) {
      await new ContainerClient(direct, name).createIfNotExists();
    },
    async close() {
      await Promise.allSettled([producer.stop(), emulator.stop(), azurite.stop()]);
      await Promise.allSettled(proxies.map((p) => p.close()));
    },
  };
}
