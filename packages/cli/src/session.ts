import type { EventHubConsumerClient } from "@azure/event-hubs";
import { CliError } from "./cli-error.js";
import type { ConnectionSettings } from "./connection-settings.js";
import { toCliError } from "./error-classification.js";
import { ExitCode } from "./exit-codes.js";
import { openHubClient } from "./hub-partitions.js";
import { checkLocalEndpoint } from "./local-endpoint-probe.js";
import { defaultCredential } from "./sign-in.js";
import { openStores, type Stores } from "./stores.js";

/** The hub client and stores one command works with. */
export interface Session {
  readonly settings: ConnectionSettings;
  readonly hub: EventHubConsumerClient;
  readonly stores: Stores;
  /**
   * Runs `fn` with a signal that fires on Ctrl-C or after the command's timeout, and turns either into
   * the matching error (exit code 130 or 5) instead of an SDK abort message.
   */
  call<T>(what: string, fn: (abortSignal: AbortSignal) => Promise<T>): Promise<T>;
  /** Closes the client and the stores. */
  close(): Promise<void>;
}

/**
 * Opens the hub client and the stores for `settings`, acting as `hostName`. Signs in with Entra ID
 * (`DefaultAzureCredential`, one for both services) when either is named without a connection string.
 */
export async function openSession(
  settings: ConnectionSettings,
  hostName: string,
  timeoutMs: number,
  interrupt: AbortSignal,
): Promise<Session> {
  await checkLocalEndpoint(settings, timeoutMs);
  const usesEntraId = settings.hubAccess.kind === "entra-id" || settings.storageAccess.kind === "entra-id";
  const credential = usesEntraId ? await defaultCredential() : undefined;
  const hub = openHubClient(settings, timeoutMs, credential);
  let stores: Stores;
  try {
    stores = openStores(settings, hostName, timeoutMs, credential);
  } catch (error) {
    void hub.close();
    throw error;
  }
  return {
    settings,
    hub,
    stores,
    call: (what, fn) => callWithin(what, fn, timeoutMs, interrupt, settings.secrets),
    async close() {
      await Promise.allSettled([hub.close(), stores.close()]);
    },
  };
}

/**
 * Runs `fn` with a signal that fires on `interrupt` (Ctrl-C) or after `timeoutMs`, and turns either
 * into the matching error (exit code 130 or 5) instead of an SDK abort message; other failures become
 * a `CliError` without `secrets`.
 */
export async function callWithin<T>(
  what: string,
  fn: (abortSignal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  interrupt: AbortSignal,
  secrets: readonly string[],
): Promise<T> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    return await fn(AbortSignal.any([interrupt, timeout]));
  } catch (error) {
    if (interrupt.aborted) throw new CliError(ExitCode.Interrupted, "Interrupted.");
    if (timeout.aborted) {
      throw new CliError(
        ExitCode.Unavailable,
        `${what}: no answer from Event Hubs or Storage within ${Math.round(timeoutMs / 1000)} s (see --timeout).`,
      );
    }
    throw toCliError(error, what, secrets);
  }
}
