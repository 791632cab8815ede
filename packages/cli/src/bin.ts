#!/usr/bin/env node
import { runCli } from "./cli.js";
import { ExitCode } from "./exit-codes.js";

const controller = new AbortController();
let interrupts = 0;
const onSignal = () => {
  interrupts++;
  // The first Ctrl-C stops cleanly (hosts closed, leases released); a second one does not wait.
  if (interrupts > 1) process.exit(ExitCode.Interrupted);
  controller.abort();
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  signal: controller.signal,
});
process.exitCode = code;
// Clients of Event Hubs or Storage may keep timers alive for a while after closing: do not wait.
process.stdout.write("", () => process.exit(code));
