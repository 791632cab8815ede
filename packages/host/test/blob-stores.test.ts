import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { BlobCheckpointer } from "@eph/checkpointer-blob";
import { BlobLeaser } from "@eph/leaser-blob";
import { type AzuriteInstance, startAzurite } from "@eph/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventProcessorHost } from "../src/index.js";
import { type Emulator, fastTiming, keepSending, Recorder, startEmulator, waitFor } from "./helpers.js";

const fixture = fileURLToPath(new URL("./fixtures/blob-host.mjs", import.meta.url));

/** A host running in a child process; collects the lines it prints. */
function spawnHost(env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, [fixture], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let partial = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    const text = partial + chunk.toString("utf8");
    const parts = text.split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts);
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    lines,
    stderr: () => stderr,
    events: () => lines.filter((l) => l.startsWith("EVENT ")).map((l) => l.split(" ")[3] as string),
    opened: () => new Set(lines.filter((l) => l.startsWith("OPEN ")).map((l) => l.split(" ")[1])),
    exited,
  };
}

describe("end to end on Blob storage (Azurite)", () => {
  let emu: Emulator;
  let azurite: AzuriteInstance;
  beforeAll(async () => {
    [emu, azurite] = await Promise.all([startEmulator({ hubs: { crash: 4, pause: 4 } }), startAzurite()]);
  });
  afterAll(async () => {
    await Promise.all([emu?.close(), azurite?.close()]);
  });

  it("a host process killed with SIGKILL: its partitions are read again from the checkpoints, nothing lost", async () => {
    const container = "eph-crash";
    const victim = spawnHost({
      EH_CONNECTION: emu.connectionString("crash"),
      STORAGE_CONNECTION: azurite.connectionString,
      CONTAINER: container,
      HOST_NAME: "victim",
    });
    try {
      await waitFor(() => victim.opened().size === 4, `the child host reads all partitions ${victim.stderr()}`);
      const producer = keepSending(emu, "crash", ["0", "1", "2", "3"]);
      await waitFor(() => victim.events().length > 200, "the child processes events");

      const rec = new Recorder();
      const survivor = await EventProcessorHost.fromConnectionString(
        emu.connectionString("crash"),
        BlobLeaser.fromConnectionString(azurite.connectionString, container),
        BlobCheckpointer.fromConnectionString(azurite.connectionString, container),
        { hostName: "survivor", noBanner: true, ...fastTiming, maxWaitTimeInSeconds: 1 },
      );
      survivor.registerHandler(rec.handler(() => "survivor"));
      await survivor.startNonBlocking();
      await waitFor(() => survivor.partitionIdsBeingProcessed().length === 2, "the survivor takes its share");

      victim.child.kill("SIGKILL");
      await victim.exited;
      const killedAt = Date.now();
      const processedByVictim = new Set(victim.events());
      await waitFor(
        () => survivor.partitionIdsBeingProcessed().length === 4,
        "the survivor reads every partition",
        fastTiming.leaseDuration + fastTiming.scanInterval + 3000,
      );
      // It waited for the leases to expire (a crashed owner cannot hand over). The survivor's expiry
      // counts from the victim's last renewal, which came up to one renewal interval before the kill.
      expect(Date.now() - killedAt).toBeGreaterThanOrEqual(fastTiming.leaseDuration - fastTiming.renewalInterval);
      const sent = await producer.stop();
      await waitFor(
        () => sent.every((body) => processedByVictim.has(body) || rec.distinct().has(body)),
        "every event processed by the child before the kill, or by the survivor",
      );
      await survivor.close();
    } finally {
      victim.child.kill("SIGKILL");
    }
  });

  it("a host process stopped with SIGSTOP past its lease handles nothing under its old ownership once resumed", async () => {
    const container = "eph-pause";
    const sleeper = spawnHost({
      EH_CONNECTION: emu.connectionString("pause"),
      STORAGE_CONNECTION: azurite.connectionString,
      CONTAINER: container,
      HOST_NAME: "sleeper",
    });
    const producer = keepSending(emu, "pause", ["0", "1", "2", "3"]);
    let survivor: EventProcessorHost | undefined;
    try {
      await waitFor(() => sleeper.opened().size === 4, `the child host reads all partitions ${sleeper.stderr()}`);
      await waitFor(() => sleeper.events().length > 100, "the child processes events");
      sleeper.child.kill("SIGSTOP");

      const rec = new Recorder();
      survivor = await EventProcessorHost.fromConnectionString(
        emu.connectionString("pause"),
        BlobLeaser.fromConnectionString(azurite.connectionString, container),
        BlobCheckpointer.fromConnectionString(azurite.connectionString, container),
        { hostName: "survivor", noBanner: true, ...fastTiming, maxWaitTimeInSeconds: 1 },
      );
      survivor.registerHandler(rec.handler(() => "survivor"));
      await survivor.startNonBlocking();
      await waitFor(
        () => new Set(rec.deliveries.map((d) => d.partitionId)).size === 4,
        "the new owner reads every partition",
        fastTiming.leaseDuration + fastTiming.scanInterval + 5000,
      );
      // Everything the stopped process wrote before SIGSTOP has been read by now.
      const before = sleeper.lines.length;
      sleeper.child.kill("SIGCONT");
      const resumed = () => sleeper.lines.slice(before);
      await waitFor(
        () =>
          new Set(
            resumed()
              .filter((l) => l.startsWith("CLOSE "))
              .map((l) => l.split(" ")[1]),
          ).size === 4,
        "the resumed process closes every partition it held",
      );
      // The resumed host may rejoin and take partitions back: events it handles after opening a
      // partition again are legitimate. What it must never do is handle an event under the
      // ownership it had before the pause, that is, before it closed that partition.
      const stale: string[] = [];
      const closed = new Set<string>();
      for (const line of resumed()) {
        const [kind, partitionId = ""] = line.split(" ");
        if (kind === "CLOSE") closed.add(partitionId);
        else if (kind === "EVENT" && !closed.has(partitionId)) stale.push(line);
      }
      expect(stale, "events the resumed process handled under its old ownership").toEqual([]);
    } finally {
      await producer.stop();
      await survivor?.close();
      sleeper.child.kill("SIGKILL");
    }
  });
});
