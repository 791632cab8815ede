/**
 * One host of `eph demo`, run as its own Node process: a complete eph host with the blob stores, as
 * you would write one. It reports to the demo what it does, over the IPC channel.
 */

import { BlobCheckpointer } from "@eph/checkpointer-blob";
import { EventProcessorHost } from "@eph/host";
import { BlobLeaser } from "@eph/leaser-blob";
import {
  type DemoHostSettings,
  type DemoMessage,
  demoHostSettingsVariable,
  type HostMessage,
} from "./demo-messages.js";

function tell(message: HostMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) {
      resolve();
      return;
    }
    // The callback fires once the message is handed to the operating system, which delivers it even
    // if this process is killed right after: the demo never misses an event this host completed.
    process.send(message, undefined, {}, () => resolve());
  });
}

async function main(): Promise<void> {
  await tell({ t: "booted" });
  const s = JSON.parse(process.env[demoHostSettingsVariable] ?? "{}") as DemoHostSettings;
  const leaser = BlobLeaser.fromConnectionString(s.storageConnectionString, s.container);
  const checkpointer = BlobCheckpointer.fromConnectionString(s.storageConnectionString, s.container);
  const host = await EventProcessorHost.fromConnectionString(s.eventHubConnectionString, leaser, checkpointer, {
    hostName: s.hostName,
    noBanner: true,
    leaseDuration: s.leaseDuration,
    renewalInterval: s.renewalInterval,
    scanInterval: s.scanInterval,
    operationTimeout: s.operationTimeout,
    maxWaitTimeInSeconds: 1,
    checkpoint: { everyMs: s.checkpointEveryMs },
    onPartitionOpened: (info) => void tell({ t: "opened", partitionId: info.partitionId, epoch: info.epoch }),
    onPartitionClosed: (info) => void tell({ t: "closed", partitionId: info.partitionId, reason: info.reason }),
    onError: (info) => {
      const message = info.error instanceof Error ? info.error.message : String(info.error);
      void tell({
        t: "error",
        message: `${info.operation}${info.partitionId ? ` ${info.partitionId}` : ""}: ${message}`,
      });
    },
  });
  host.registerHandler(async (event, context) => {
    await tell({ t: "event", partitionId: context.partitionId, sequenceNumber: event.sequenceNumber });
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // close() drains the event in flight, checkpoints and releases every lease: others take over at once.
    await host.close();
    await Promise.allSettled([leaser.close(), checkpointer.close()]);
    await tell({ t: "stopped" });
    process.exit(0);
  };
  process.on("message", (message: DemoMessage) => {
    if (message.t === "stop") void stop();
  });
  // The demo went away (or was killed): do not linger.
  process.on("disconnect", () => void stop());
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => undefined);
  await host.startNonBlocking();
  await tell({ t: "ready" });
}

main().catch((error: unknown) => {
  process.stderr.write(`demo host failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
