import type { ConnectionSettings } from "./connection-settings.js";
import type { CliIo } from "./io.js";
import type { StatusReport } from "./status.js";

/**
 * Opens a session for `settings`, runs `use` with a function that reads the status once (leases,
 * checkpoints and the hub's partitions: what `eph status` and `eph lag` show), and closes it. Only reads:
 * the host name it acts as is never written.
 */
export async function withStatusReader<T>(
  settings: ConnectionSettings,
  timeoutMs: number,
  io: CliIo,
  use: (read: () => Promise<StatusReport>) => Promise<T>,
): Promise<T> {
  // Loaded only now: the SDKs take a while to load, and --help or a usage error should not wait.
  const [{ openSession }, { collectStatus }] = await Promise.all([import("./session.js"), import("./status.js")]);
  const session = await openSession(settings, "eph-cli-status", timeoutMs, io.signal);
  try {
    return await use(() =>
      session.call("Reading the status", (abortSignal) =>
        collectStatus(settings, { hub: session.hub, ...session.stores }, abortSignal),
      ),
    );
  } finally {
    await session.close();
  }
}
