import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** Builds the package and its dependencies so the tests run the current `dist/bin.js`. */
export default function setup(): void {
  const require = createRequire(import.meta.url);
  const tsc = require.resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-b", fileURLToPath(new URL("..", import.meta.url))], { stdio: "inherit" });
}
