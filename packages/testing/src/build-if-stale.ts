import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

function newestChange(dir: string): number {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestChange(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Rebuilds the package at `packageDir` with tshy when a file under its src/ is newer than `builtFile`
 * (relative to the package), so a test that runs the built command sees the current source even when
 * started with `npx vitest` rather than through turbo (which builds first). The package's dependencies
 * are not rebuilt: `pnpm build` does that.
 */
export function buildIfStale(packageDir: string, builtFile: string): void {
  let builtAt = 0;
  try {
    builtAt = statSync(join(packageDir, builtFile)).mtimeMs;
  } catch {
    // not built yet
  }
  if (newestChange(join(packageDir, "src")) <= builtAt) return;
  const tshy = join(dirname(createRequire(import.meta.url).resolve("tshy/package.json")), "dist", "esm", "bin-min.mjs");
  execFileSync(process.execPath, [tshy], { cwd: packageDir, stdio: "inherit" });
}
