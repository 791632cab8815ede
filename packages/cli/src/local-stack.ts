import { type Emulator, startEmulator } from "@eph/hub-emulator";
import { type AzuriteServers, startAzurite } from "./azurite.js";

/** Where to run the local services. */
export interface LocalStackOptions {
  /** Hubs and their partition counts. */
  readonly hubs: Readonly<Record<string, number>>;
  /** Interface for both services. Default 127.0.0.1. */
  readonly host?: string;
  /** Event Hubs (AMQP) port; 0 picks a free one. Default 0. */
  readonly eventHubsPort?: number;
  /** Blob port; 0 picks a free one. Default 0. */
  readonly blobPort?: number;
  /** Table port; 0 picks a free one. Default 0. */
  readonly tablePort?: number;
}

/** The Event Hubs emulator and Azurite, running in this process. */
export interface LocalStack {
  readonly emulator: Emulator;
  readonly azurite: AzuriteServers;
  /** Event Hubs connection string of `hub`. */
  eventHubConnectionString(hub: string): string;
  /** Storage connection string of Azurite. */
  readonly storageConnectionString: string;
  /** Stops both. */
  close(): Promise<void>;
}

/** Starts `@eph/hub-emulator` and Azurite side by side: all a host needs, with no Azure account. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const host = options.host ?? "127.0.0.1";
  const emulator = await startEmulator({ host, port: options.eventHubsPort ?? 0, hubs: { ...options.hubs } });
  let azurite: AzuriteServers;
  try {
    azurite = await startAzurite({ host, blobPort: options.blobPort ?? 0, tablePort: options.tablePort ?? 0 });
  } catch (error) {
    await emulator.close();
    throw error;
  }
  return {
    emulator,
    azurite,
    eventHubConnectionString: (hub) => emulator.connectionString(hub),
    storageConnectionString: azurite.connectionString,
    async close() {
      await Promise.allSettled([emulator.close(), azurite.close()]);
    },
  };
}
