#!/usr/bin/env node
import { parseCliArgs, USAGE } from "./cli-args.js";
import { startEmulator } from "./emulator.js";
import { HubEmulatorError } from "./errors.js";

async function main(): Promise<void> {
  const command = parseCliArgs(process.argv.slice(2));
  if (command.kind === "help") {
    process.stdout.write(USAGE);
    return;
  }
  const emulator = await startEmulator(command.options);
  for (const hub of emulator.hubNames) process.stdout.write(`${emulator.connectionString(hub)}\n`);
  process.stderr.write(`eph-hub-emulator listening on ${emulator.host}:${emulator.port} (Ctrl-C to stop)\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`eph-hub-emulator: ${signal}, stopping\n`);
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  const message =
    error instanceof HubEmulatorError ? error.message : error instanceof Error ? error.stack : String(error);
  process.stderr.write(`eph-hub-emulator: ${message}\n`);
  process.exit(2);
});
