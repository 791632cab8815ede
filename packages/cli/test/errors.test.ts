import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../src/exit-codes.js";
import { type LocalStack, startLocalStack } from "../src/local-stack.js";
import { runEph } from "./run-eph.js";

// Secrets that must never appear in anything eph prints.
const HUB_KEY = "HubKeySecret0123456789abcdef=";
const SAS_SIG = "SasSignatureSecret0123456789abcdef%3D";
const ACCOUNT_KEY = "AccountKeySecret0123456789abcdefAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==";

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ hubs: { orders: 2 } });
});
afterAll(async () => {
  await stack?.close();
});

/** The emulator's connection string for `hub`, authenticating with a key that must stay secret. */
function hubWithSecretKey(hub = "orders"): string {
  return stack
    .eventHubConnectionString("orders")
    .replace(/SharedAccessKey=[^;]+/, `SharedAccessKey=${HUB_KEY}`)
    .replace(/EntityPath=[^;]+/, `EntityPath=${hub}`);
}

function expectNoSecret(run: { stdout: string; stderr: string }): void {
  for (const secret of [HUB_KEY, SAS_SIG, ACCOUNT_KEY, "AccountKeySecret", "HubKeySecret", "SasSignatureSecret"]) {
    expect(run.stdout + run.stderr).not.toContain(secret);
  }
}

describe("missing or malformed connection settings exit 3 and say what to set", () => {
  it("no Event Hubs connection string", async () => {
    const run = await runEph(["status"], { EPH_STORAGE_CONNECTION_STRING: "UseDevelopmentStorage=true" });
    expect(run.code).toBe(ExitCode.Configuration);
    expect(run.stderr).toContain("--eventhub-connection-string");
    expect(run.stderr).toContain("EPH_EVENTHUB_CONNECTION_STRING");
  });

  it("no Storage connection string", async () => {
    const run = await runEph(["checkpoints", "list"], { EPH_EVENTHUB_CONNECTION_STRING: hubWithSecretKey() });
    expect(run.code).toBe(ExitCode.Configuration);
    expect(run.stderr).toContain("EPH_STORAGE_CONNECTION_STRING");
    expectNoSecret(run);
  });

  it("no container is a usage error (a missing flag), not a connection-string one", async () => {
    const run = await runEph(["status"], {
      EPH_EVENTHUB_CONNECTION_STRING: hubWithSecretKey(),
      EPH_STORAGE_CONNECTION_STRING: stack.storageConnectionString,
    });
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toContain("EPH_CONTAINER");
  });

  it("a key pasted where the endpoint belongs is not quoted back", async () => {
    const run = await runEph(["status", "--container", "leases"], {
      EPH_EVENTHUB_CONNECTION_STRING: `${HUB_KEY.slice(0, -1)};SharedAccessKeyName=root;EntityPath=orders`,
      EPH_STORAGE_CONNECTION_STRING: stack.storageConnectionString,
    });
    expect(run.code).toBe(ExitCode.Configuration);
    expect(run.stderr).toContain("Segment 1");
    expectNoSecret(run);
  });

  it("a Storage connection string without a key", async () => {
    const run = await runEph(["status", "--container", "leases"], {
      EPH_EVENTHUB_CONNECTION_STRING: hubWithSecretKey(),
      EPH_STORAGE_CONNECTION_STRING: "AccountName=contoso;EndpointSuffix=core.windows.net",
    });
    expect(run.code).toBe(ExitCode.Configuration);
    expect(run.stderr).toContain("AccountKey");
    expectNoSecret(run);
  });

  it("an Event Hubs connection string without EntityPath needs --eventhub", async () => {
    const withoutHub = hubWithSecretKey().replace(/EntityPath=[^;]+;?/, "");
    const run = await runEph(["status", "--container", "leases"], {
      EPH_EVENTHUB_CONNECTION_STRING: withoutHub,
      EPH_STORAGE_CONNECTION_STRING: stack.storageConnectionString,
    });
    expect(run.code).toBe(ExitCode.Configuration);
    expect(run.stderr).toContain("--eventhub");
    expectNoSecret(run);
  });

  it("flags win over the environment", async () => {
    const run = await runEph(["status", "--container", "Not_A_Container"], {
      EPH_EVENTHUB_CONNECTION_STRING: hubWithSecretKey(),
      EPH_STORAGE_CONNECTION_STRING: stack.storageConnectionString,
      EPH_CONTAINER: "leases",
    });
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toContain("Not_A_Container");
  });
});

describe("services that cannot be reached or do not know the names exit 4 or 5", () => {
  it("an unknown event hub exits 4", async () => {
    const run = await runEph(["status", "--container", "leases"], {
      EPH_EVENTHUB_CONNECTION_STRING: hubWithSecretKey("nosuchhub"),
      EPH_STORAGE_CONNECTION_STRING: stack.storageConnectionString,
    });
    expect(run.code, run.stderr).toBe(ExitCode.NotFound);
    expect(run.stderr).toContain("nosuchhub");
    expectNoSecret(run);
  });

  it("a container no host has created shows missing rows and exits 0, as the help says", async () => {
    const run = await runEph(["status", "--json", "--container", "never-created"], {
      EPH_EVENTHUB_CONNECTION_STRING: hubWithSecretKey(),
      EPH_STORAGE_CONNECTION_STRING: stack.storageConnectionString,
    });
    expect(run.code, run.stderr).toBe(ExitCode.Ok);
    const report = JSON.parse(run.stdout) as { partitions: { leaseState: string }[]; notes: string[] };
    expect(report.partitions.map((p) => p.leaseState)).toEqual(["missing", "missing"]);
    expect(report.notes.join(" ")).toContain('"never-created" does not exist');
    expect(run.stdout + run.stderr).not.toContain("ensureStore");
    const list = await runEph(["checkpoints", "list", "--container", "never-created"], {
      EPH_EVENTHUB_CONNECTION_STRING: hubWithSecretKey(),
      EPH_STORAGE_CONNECTION_STRING: stack.storageConnectionString,
    });
    expect(list.code, list.stderr).toBe(ExitCode.Ok);
    expect(list.stderr).toContain("never-created");
  });

  it("status --timeout -1 names the flag", async () => {
    const run = await runEph(["status", "--timeout", "-1"], {});
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toContain("--timeout");
  });

  it("an Event Hubs endpoint where nothing listens exits 5, with a SAS signature kept secret", async () => {
    const sas = `SharedAccessSignature sr=sb%3A%2F%2F127.0.0.1%3A1%2Forders&sig=${SAS_SIG}&se=9999999999&skn=root`;
    const run = await runEph(["status", "--container", "leases", "--timeout", "5"], {
      EPH_EVENTHUB_CONNECTION_STRING: `Endpoint=sb://127.0.0.1:1/;SharedAccessSignature=${sas};EntityPath=orders;UseDevelopmentEmulator=true`,
      EPH_STORAGE_CONNECTION_STRING: stack.storageConnectionString,
    });
    expect(run.code, run.stderr).toBe(ExitCode.Unavailable);
    expectNoSecret(run);
  });

  it("the emulator's connection string without UseDevelopmentEmulator=true exits 5 saying so, without DEP0123", async () => {
    const withoutFlag = hubWithSecretKey().replace(/;?UseDevelopmentEmulator=true/, "");
    for (const args of [
      ["status", "--container", "leases"],
      ["checkpoints", "list", "--container", "leases"],
    ]) {
      const run = await runEph(args, {
        EPH_EVENTHUB_CONNECTION_STRING: withoutFlag,
        EPH_STORAGE_CONNECTION_STRING: stack.storageConnectionString,
      });
      expect(run.code, run.stderr).toBe(ExitCode.Unavailable);
      expect(run.stderr).toContain("speaks plain AMQP");
      expect(run.stderr).toContain('add ";UseDevelopmentEmulator=true"');
      expect(run.stderr).not.toContain("DEP0123");
      expect(run.stderr).not.toContain("DeprecationWarning");
      expectNoSecret(run);
    }
  });

  it("a refused Event Hubs port on an IP address without the emulator flag exits 5 at once, without DEP0123", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const run = await runEph(["status", "--container", "leases"], {
      EPH_EVENTHUB_CONNECTION_STRING: hubWithSecretKey()
        .replace(/sb:\/\/[^/]+/, `sb://127.0.0.1:${port}`)
        .replace(/;?UseDevelopmentEmulator=true/, ""),
      EPH_STORAGE_CONNECTION_STRING: stack.storageConnectionString,
    });
    expect(run.code, run.stderr).toBe(ExitCode.Unavailable);
    expect(run.stderr).toContain(`Event Hubs at 127.0.0.1:${port} refused the connection`);
    expect(run.stderr).not.toContain("DEP0123");
    expectNoSecret(run);
  });

  it("a Storage endpoint where nothing listens exits 5, with the account key kept secret", async () => {
    const run = await runEph(["status", "--container", "leases", "--timeout", "5"], {
      EPH_EVENTHUB_CONNECTION_STRING: hubWithSecretKey(),
      EPH_STORAGE_CONNECTION_STRING: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${ACCOUNT_KEY};BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;`,
    });
    expect(run.code, run.stderr).toBe(ExitCode.Unavailable);
    expectNoSecret(run);
  });
});
