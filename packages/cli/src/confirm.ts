import { createInterface } from "node:readline";
import type { CliIo } from "./io.js";

/** The answer to a confirmation prompt. */
export type Confirmation = "yes" | "no" | "no-terminal";

/**
 * Asks `question` on stderr and reads one line from stdin; only "y" or "yes" confirm. Never asks when
 * stdin is not a terminal: a script piping into `eph` must say `--yes` explicitly.
 */
export async function confirm(io: CliIo, question: string): Promise<Confirmation> {
  if (io.stdin.isTTY !== true) return "no-terminal";
  io.stderr.write(`${question} [y/N] `);
  const rl = createInterface({ input: io.stdin, terminal: false });
  try {
    const line = await new Promise<string>((resolve) => {
      const onAbort = () => resolve("");
      io.signal.addEventListener("abort", onAbort, { once: true });
      rl.once("line", (text) => {
        io.signal.removeEventListener("abort", onAbort);
        resolve(text);
      });
      rl.once("close", () => resolve(""));
    });
    return /^\s*y(es)?\s*$/i.test(line) ? "yes" : "no";
  } finally {
    rl.close();
  }
}
