// Child process running the hub emulator, with its fault injection reachable over IPC.
import { type EmulatorOptions, startEmulator } from "@eph/hub-emulator";
import { serveRpc } from "./child-rpc.js";

await serveRpc<EmulatorOptions>(async (options) => {
  const emu = await startEmulator(options);
  const connectionStrings = Object.fromEntries(emu.hubNames.map((h) => [h, emu.connectionString(h)]));
  return {
    info: { port: emu.port, connectionStrings },
    handlers: {
      steal: (a: { hub: string; partitionId?: string }) => emu.faults.stealReceivers(a.hub, a.partitionId),
      drop: () => emu.faults.dropConnections(),
      busy: (a: { count: number }) => emu.faults.serverBusy(a.count),
      latency: (a: { ms: number }) => emu.faults.setLatency(a.ms),
      clear: () => emu.faults.clear(),
      lastSequenceNumbers: (a: { hub: string; partitions: number }) =>
        Array.from({ length: a.partitions }, (_, i) => emu.partitionStats(a.hub, String(i)).lastSequenceNumber),
    },
    close: () => emu.close(),
  };
});
