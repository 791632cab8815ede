import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The built command. */
export const bin = fileURLToPath(new URL("../dist/esm/bin.mjs", import.meta.url));

/** What a run of `eph` printed and how it ended. */
export interface EphRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node dist/esm/bin.mjs ...args` with exactly `env` (plus PATH), stdin not a terminal, and resolves
 * when it exits. Fails the test if it runs longer than `timeoutMs`.
 */
export function runEph(
  args: readonly string[],
  env: Record<string, string> = {},
  options: { timeoutMs?: number; input?: string } = {},
): Promise<EphRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.stdin.end(options.input ?? "");
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`eph ${args.join(" ")} did not exit within ${options.timeoutMs ?? 45_000} ms\n${stderr}`));
    }, options.timeoutMs ?? 45_000);
    // "close" comes after the output pipes are drained, unlike "exit".
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Polls `predicate` every 25 ms until it holds; rejects naming `what` after `timeoutMs`. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 40_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
