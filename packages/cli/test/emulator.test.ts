import { spawn } from "node:child_process";
import { EventHubConsumerClient } from "@azure/event-hubs";
import { BlobServiceClient } from "@azure/storage-blob";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../src/exit-codes.js";
import { bin, runEph, waitFor } from "./run-eph.js";

function startEmulatorCommand(args: string[]) {
  const child = spawn(
    process.execPath,
    [bin, "emulator", "--port", "0", "--blob-port", "0", "--table-port", "0", ...args],
    {
      env: { PATH: process.env.PATH ?? "" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const out = { stdout: "", stderr: "" };
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    out.stdout += d;
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    out.stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, out, exited };
}

describe("eph emulator", () => {
  it("prints connection strings that the real clients use, and stops cleanly on SIGINT", async () => {
    const { child, out, exited } = startEmulatorCommand(["--hub", "orders:3", "--json"]);
    try {
      await waitFor(() => out.stdout.includes("\n"), "the connection strings", 20_000);
      const info = JSON.parse(out.stdout) as { eventHubs: Record<string, string>; storage: string };
      const consumer = new EventHubConsumerClient("$Default", info.eventHubs.orders as string);
      expect(await consumer.getPartitionIds()).toEqual(["0", "1", "2"]);
      await consumer.close();
      const blobs = BlobServiceClient.fromConnectionString(info.storage);
      await blobs.getContainerClient("created-by-test").create();
      expect(await blobs.getContainerClient("created-by-test").exists()).toBe(true);
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).toBe(ExitCode.Ok);
  });

  it("prints shell export lines by default", async () => {
    const { child, out, exited } = startEmulatorCommand([]);
    try {
      await waitFor(() => out.stderr.includes("Ctrl-C"), "the start-up message", 20_000);
      expect(out.stdout).toMatch(/^export EPH_STORAGE_CONNECTION_STRING='DefaultEndpointsProtocol=http;.*'$/m);
      expect(out.stdout).toMatch(
        /^export EPH_EVENTHUB_CONNECTION_STRING='Endpoint=sb:\/\/127\.0\.0\.1:\d+\/;.*EntityPath=hub;.*'$/m,
      );
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(ExitCode.Ok);
  });

  it("refuses a malformed --hub with exit code 2", async () => {
    const run = await runEph(["emulator", "--hub", "orders"]);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toContain("NAME:PARTITIONS");
  });
});
