import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { CliError } from "../src/cli-error.js";
import { confirm } from "../src/confirm.js";
import { resolveConnectionSettings } from "../src/connection-settings.js";
import { openedText } from "../src/demo/demo-command.js";
import { steadyPhase } from "../src/demo/demo-view.js";
import { ExitCode } from "../src/exit-codes.js";
import type { CliIo, InputStream } from "../src/io.js";
import { LeaseWatch } from "../src/lease-watch.js";
import { LiveFrame } from "../src/live-frame.js";
import { lagOf } from "../src/status.js";

const hub =
  "Endpoint=sb://Contoso.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=KEYSECRET123;EntityPath=orders";
const storage =
  "DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=ACCOUNTSECRET456;EndpointSuffix=core.windows.net";

function configError(fn: () => unknown): CliError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.Configuration);
    return error as CliError;
  }
  throw new Error("expected a configuration error");
}

function usageError(fn: () => unknown): CliError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(ExitCode.Usage);
    return error as CliError;
  }
  throw new Error("expected a usage error");
}

describe("resolveConnectionSettings", () => {
  it("takes flags over environment variables and writes the namespace as hosts key their leases", () => {
    const s = resolveConnectionSettings(
      { container: "from-flag" },
      { EPH_EVENTHUB_CONNECTION_STRING: hub, EPH_STORAGE_CONNECTION_STRING: storage, EPH_CONTAINER: "from-env" },
    );
    expect(s.container).toBe("from-flag");
    expect(s.fullyQualifiedNamespace).toBe("contoso.servicebus.windows.net");
    expect(s.eventHubName).toBe("orders");
    expect(s.consumerGroup).toBe("$Default");
    expect(s.secrets).toEqual(["KEYSECRET123", "ACCOUNTSECRET456"]);
  });

  it("adds EntityPath from --eventhub to a namespace-level connection string", () => {
    const s = resolveConnectionSettings(
      {
        eventHub: "orders",
        eventHubConnectionString: hub.replace(";EntityPath=orders", ""),
        storageConnectionString: storage,
        container: "leases",
      },
      {},
    );
    expect(
      s.hubAccess.kind === "connection-string" && s.hubAccess.connectionString.endsWith(";EntityPath=orders"),
    ).toBe(true);
  });

  it("refuses a hub named twice differently, without quoting anything but names", () => {
    const e = configError(() =>
      resolveConnectionSettings(
        { eventHub: "payments", eventHubConnectionString: hub, storageConnectionString: storage, container: "leases" },
        {},
      ),
    );
    expect(e.message).toContain('"orders"');
    expect(e.message).toContain('"payments"');
    expect(e.message).not.toContain("KEYSECRET");
  });

  it("never quotes a malformed segment or a value that is not a plain name", () => {
    const e1 = configError(() =>
      resolveConnectionSettings(
        { eventHubConnectionString: `KEYSECRET123;${hub}`, storageConnectionString: storage, container: "leases" },
        {},
      ),
    );
    expect(e1.message).not.toContain("KEYSECRET");
    const e2 = usageError(() =>
      resolveConnectionSettings(
        { eventHubConnectionString: hub, storageConnectionString: storage, container: "AccountKey=ACCOUNTSECRET456" },
        {},
      ),
    );
    expect(e2.message).not.toContain("ACCOUNTSECRET");
    const e3 = usageError(() =>
      resolveConnectionSettings(
        {
          eventHubConnectionString: hub,
          storageConnectionString: storage,
          container: "leases",
          consumerGroup: "sig=SIGSECRET",
        },
        {},
      ),
    );
    expect(e3.message).not.toContain("SIGSECRET");
  });

  it("accepts a SAS connection string for Storage and UseDevelopmentStorage", () => {
    const sas = "BlobEndpoint=https://contoso.blob.core.windows.net/;SharedAccessSignature=sv=2024&sig=SIGSECRET";
    expect(
      resolveConnectionSettings(
        { eventHubConnectionString: hub, storageConnectionString: sas, container: "leases" },
        {},
      ).secrets,
    ).toContain("sv=2024&sig=SIGSECRET");
    expect(() =>
      resolveConnectionSettings(
        { eventHubConnectionString: hub, storageConnectionString: "UseDevelopmentStorage=true", container: "leases" },
        {},
      ),
    ).not.toThrow();
  });
});

describe("LeaseWatch", () => {
  it("calls a lease expired only after its version stayed unchanged for the lease duration on its own clock", () => {
    let now = 0;
    const watch = new LeaseWatch(1000, () => now);
    expect(watch.observe([{ partitionId: "0", leaseVersion: "a" }]).get("0")).toEqual({
      unchangedForMs: 0,
      expired: false,
    });
    now = 999;
    expect(watch.observe([{ partitionId: "0", leaseVersion: "a" }]).get("0")?.expired).toBe(false);
    now = 1000;
    expect(watch.observe([{ partitionId: "0", leaseVersion: "a" }]).get("0")?.expired).toBe(true);
    now = 1500;
    expect(watch.observe([{ partitionId: "0", leaseVersion: "b" }]).get("0")).toEqual({
      unchangedForMs: 0,
      expired: false,
    });
    expect(watch.observe([{ partitionId: "0", leaseVersion: undefined }]).has("0")).toBe(false);
  });

  it("with heartbeat upkeep, counts a lease alive while its owner's liveness record keeps changing", () => {
    let now = 0;
    const watch = new LeaseWatch(1000, () => now);
    const seen = (ownerLivenessVersion: string | undefined) =>
      watch.observe([{ partitionId: "0", leaseVersion: "a", ownerLivenessVersion }]).get("0");
    seen("h1");
    now = 900;
    seen("h2");
    now = 1800;
    expect(seen("h3")).toEqual({ unchangedForMs: 0, expired: false });
    now = 2700;
    // The record vanished (its host stopped without releasing): unchanged since it was last seen.
    expect(seen(undefined)).toEqual({ unchangedForMs: 900, expired: false });
    now = 2800;
    expect(seen(undefined)?.expired).toBe(true);
  });
});

describe("lagOf", () => {
  const partition = { partitionId: "0", lastEnqueuedOffset: "0", lastEnqueuedOn: undefined };
  it("counts events after the checkpoint, or every retained event without one", () => {
    expect(
      lagOf(
        { ...partition, beginningSequenceNumber: 0, lastEnqueuedSequenceNumber: 9, isEmpty: false },
        { sequenceNumber: 4 },
      ),
    ).toBe(5);
    expect(
      lagOf({ ...partition, beginningSequenceNumber: 5, lastEnqueuedSequenceNumber: 9, isEmpty: false }, undefined),
    ).toBe(5);
    expect(
      lagOf({ ...partition, beginningSequenceNumber: 0, lastEnqueuedSequenceNumber: -1, isEmpty: true }, undefined),
    ).toBe(0);
    // Retention removed everything: nothing left to read.
    expect(
      lagOf({ ...partition, beginningSequenceNumber: 10, lastEnqueuedSequenceNumber: 9, isEmpty: true }, undefined),
    ).toBe(0);
  });
});

describe("LiveFrame", () => {
  function sink(isTTY: boolean) {
    const chunks: string[] = [];
    return { chunks, out: { isTTY, write: (t: string) => chunks.push(t) } };
  }

  it("redraws in place on a terminal", () => {
    const { chunks, out } = sink(true);
    const frame = new LiveFrame(out);
    frame.show("a\nb");
    frame.show("c\nd");
    expect(chunks).toEqual(["\x1b[Ja\nb\n", "\x1b[2F\x1b[Jc\nd\n"]);
  });

  it("cuts lines to the terminal width, so a wrapped line cannot shift the next redraw", () => {
    const chunks: string[] = [];
    const frame = new LiveFrame({ isTTY: true, columns: 12, write: (t: string) => chunks.push(t) });
    frame.show("short\na line much longer than twelve");
    frame.show("x");
    expect(chunks).toEqual(["\x1b[Jshort\na line muc…\n", "\x1b[2F\x1b[Jx\n"]);
  });

  it("prints frames one after the other, without escape codes, elsewhere", () => {
    const { chunks, out } = sink(false);
    const frame = new LiveFrame(out);
    frame.show("a");
    frame.show("b");
    expect(chunks.join("")).toBe("a\n\nb\n\n");
  });
});

describe("confirm", () => {
  function io(isTTY: boolean, answer: string | undefined) {
    const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
    stdin.isTTY = isTTY;
    if (answer !== undefined) stdin.end(answer);
    const asked: string[] = [];
    const value: CliIo = {
      stdin: stdin as InputStream,
      stdout: { write: () => true },
      stderr: { write: (t: string) => asked.push(t) },
      env: {},
      signal: new AbortController().signal,
    };
    return { value, asked };
  }

  it("never asks without a terminal", async () => {
    const { value, asked } = io(false, "y\n");
    expect(await confirm(value, "Proceed?")).toBe("no-terminal");
    expect(asked).toEqual([]);
  });

  it("takes y or yes as consent and anything else as refusal", async () => {
    for (const [answer, expected] of [
      ["y\n", "yes"],
      ["YES\n", "yes"],
      ["n\n", "no"],
      ["\n", "no"],
      ["sure\n", "no"],
      ["", "no"],
    ] as const) {
      const { value, asked } = io(true, answer);
      expect(await confirm(value, "Proceed?"), JSON.stringify(answer)).toBe(expected);
      expect(asked).toEqual(["Proceed? [y/N] "]);
    }
  });
});

describe("the demo's wording", () => {
  it("the phase line says when the hosts settled and how long they have been steady since, not the planned hold", () => {
    // Settled 4.0 s after the cause, at t=6.0 s; it is now t=11.5 s.
    expect(steadyPhase("3 hosts started", 6000, 4000, 11_500)).toBe(
      "3 hosts started: settled at t=6.0s, 4.0 s after it; steady for 5.5 s",
    );
  });

  it("the summary counts distinct partitions opened, and says why there were more receivers", () => {
    expect(openedText({ partitionsOpened: 8, receiversOpened: 9 })).toBe(
      "8 partitions opened (1 of them twice: it moved again while the load evened out)",
    );
    expect(openedText({ partitionsOpened: 8, receiversOpened: 11 })).toBe(
      "8 partitions opened (3 more opens: partitions moved again while the load evened out)",
    );
    expect(openedText({ partitionsOpened: 1, receiversOpened: 1 })).toBe("1 partition opened");
  });
});
