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
// \`eph status | head -1\` closes the pipe early: that is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? ExitCode.Ok);
    throw error;
  });
}
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
