import { describe, expect, it } from "vitest";
import { ExitCode } from "../src/exit-codes.js";
import { runEph } from "./run-eph.js";

const secretEnv = {
  EPH_EVENTHUB_CONNECTION_STRING:
    "Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=HUBSECRETabc123;EntityPath=orders",
  EPH_STORAGE_CONNECTION_STRING:
    "DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=STORAGESECRETxyz789;EndpointSuffix=core.windows.net",
};

const commands = [
  ["status"],
  ["lag"],
  ["checkpoints"],
  ["checkpoints", "list"],
  ["checkpoints", "set"],
  ["checkpoints", "reset"],
  ["emulator"],
  ["demo"],
];

describe.concurrent("eph --help", () => {
  it("prints the commands and the exit codes", async () => {
    const run = await runEph(["--help"]);
    expect(run.code).toBe(ExitCode.Ok);
    for (const name of ["status", "lag", "checkpoints", "emulator", "demo"]) expect(run.stdout).toContain(`  ${name}`);
    for (const code of Object.values(ExitCode).map(String)) expect(run.stdout).toMatch(new RegExp(`^  ${code} `, "m"));
  });

  it.each(commands)(
    "works for eph %s %s, also as eph help, and never shows the configured secrets",
    async (...words) => {
      const [viaFlag, viaHelp] = await Promise.all([
        runEph([...words, "--help"], secretEnv),
        runEph(["help", ...words], secretEnv),
      ]);
      expect(viaFlag.code, viaFlag.stderr).toBe(ExitCode.Ok);
      expect(viaFlag.stdout).toContain(`Usage: eph ${words.join(" ")}`);
      expect(viaHelp.code).toBe(ExitCode.Ok);
      expect(viaHelp.stdout).toBe(viaFlag.stdout);
      const all = viaFlag.stdout + viaFlag.stderr;
      expect(all).not.toContain("HUBSECRET");
      expect(all).not.toContain("STORAGESECRET");
      expect(all).not.toContain("contoso");
    },
  );

  it("a command without connection flags documents the environment variables", async () => {
    const run = await runEph(["status", "--help"]);
    for (const v of [
      "EPH_EVENTHUB_CONNECTION_STRING",
      "EPH_STORAGE_CONNECTION_STRING",
      "EPH_CONTAINER",
      "EPH_CONSUMER_GROUP",
    ]) {
      expect(run.stdout).toContain(v);
    }
  });
});

describe.concurrent("bad command lines", () => {
  it("an unknown command exits 2 and points at --help", async () => {
    const run = await runEph(["frobnicate"]);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toContain("unknown command");
    expect(run.stderr).toContain("eph --help");
  });

  it("no command at all prints the help and exits 2", async () => {
    const run = await runEph([]);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stdout).toContain("Usage: eph");
  });

  it("an unknown flag exits 2 without quoting what follows it", async () => {
    const run = await runEph(["status", "--eventhub-conection-string", "SharedAccessKey=TYPOSECRET"]);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toContain("unknown flag --eventhub-conection-string");
    expect(run.stderr).not.toContain("TYPOSECRET");
  });

  it("a flag missing its value exits 2", async () => {
    const run = await runEph(["status", "--container"]);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toContain("--container needs a value");
  });

  it("a stray argument exits 2 without being quoted", async () => {
    const run = await runEph(["status", "AccountKey=STRAYSECRET"]);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).not.toContain("STRAYSECRET");
  });

  it("checkpoints without a subcommand exits 2; an unknown one too", async () => {
    expect((await runEph(["checkpoints"])).code).toBe(ExitCode.Usage);
    expect((await runEph(["checkpoints", "delete"])).code).toBe(ExitCode.Usage);
  });

  it("--version prints the package version", async () => {
    const run = await runEph(["--version"]);
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
