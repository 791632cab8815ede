import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { EventHubProducerClient } from "@azure/event-hubs";
import { buildIfStale } from "@eph/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { parseCliArgs } from "../src/cli-args.js";
import { HubEmulatorError } from "../src/index.js";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(packageDir, "dist", "esm", "cli.js");

beforeAll(() => {
  // The command runs from dist/: make sure it reflects src/ (quick when up to date).
  buildIfStale(packageDir, "dist/esm/cli.js");
}, 60_000);

function run(args: string[]): ChildProcess {
  return spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

function endpointLines(child: ChildProcess, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const lines = out.split("\n").filter((l) => l.startsWith("Endpoint="));
      if (lines.length >= count) resolve(lines);
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code} before printing ${count} endpoints: ${out}`)));
  });
}

describe("eph-hub-emulator command", () => {
  it("prints one Endpoint= line per hub, serves them, and exits 0 on SIGTERM", async () => {
    const child = run(["--port", "0", "--hub", "orders:2", "--hub", "audit:3", "--consumer-group", "audit:billing"]);
    const exited = exitCode(child);
    try {
      const lines = await endpointLines(child, 2);
      expect(lines[0]).toMatch(/^Endpoint=sb:\/\/127\.0\.0\.1:\d+\/;.*EntityPath=orders;UseDevelopmentEmulator=true$/);
      expect(lines[1]).toContain("EntityPath=audit;");
      const producer = new EventHubProducerClient(lines[1]!);
      try {
        expect(await producer.getPartitionIds()).toEqual(["0", "1", "2"]);
        await producer.sendBatch([{ body: "via the command" }]);
      } finally {
        await producer.close();
      }
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });

  it("exits 2 with the usage on a bad argument", async () => {
    const child = run(["--hub", "nopartitions"]);
    let err = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      err += chunk.toString("utf8");
    });
    expect(await exitCode(child)).toBe(2);
    expect(err).toContain('--hub needs NAME:PARTITIONS, got "nopartitions"');
    expect(err).toContain("Usage: eph-hub-emulator");
  });
});

describe("command-line parsing", () => {
  it("defaults to loopback, port 5672 and one hub of 4 partitions", () => {
    expect(parseCliArgs([])).toEqual({
      kind: "run",
      options: { host: "127.0.0.1", port: 5672, hubs: { hub: { partitions: 4 } }, retention: {} },
    });
  });

  it("reads every option, in both --flag value and --flag=value forms", () => {
    expect(
      parseCliArgs([
        "--host=0.0.0.0",
        "--port",
        "0",
        "--hub",
        "a:8",
        "--consumer-group=a:cg1",
        "--data-dir",
        "/tmp/x",
        "--max-events",
        "10",
        "--max-bytes=2048",
      ]),
    ).toEqual({
      kind: "run",
      options: {
        host: "0.0.0.0",
        port: 0,
        hubs: { a: { partitions: 8, consumerGroups: ["cg1"] } },
        retention: { maxEventsPerPartition: 10, maxBytesPerPartition: 2048 },
        dataDir: "/tmp/x",
      },
    });
    expect(parseCliArgs(["--help"])).toEqual({ kind: "help" });
  });

  it("rejects unknown flags, missing values and consumer groups of undeclared hubs", () => {
    expect(() => parseCliArgs(["--verbose"])).toThrow(HubEmulatorError);
    expect(() => parseCliArgs(["--port"])).toThrow("--port needs a value");
    expect(() => parseCliArgs(["--port", "x"])).toThrow("non-negative integer");
    expect(() => parseCliArgs(["--consumer-group", "b:cg"])).toThrow('names hub "b"');
  });
});
