import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { moduleDir } from "./module-location.js";

/**
 * The version in this package's package.json. The compiled modules sit one or two folders below it
 * (dist/esm, dist/commonjs, or src under the tests), and the nearer package.json files that only set
 * the module type have no version: take the first one up the tree that has one.
 */
export function packageVersion(): string {
  for (let dir = moduleDir; ; dir = dirname(dir)) {
    try {
      const { version } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version?: unknown };
      if (typeof version === "string") return version;
    } catch {
      // no package.json here: look further up
    }
    if (dirname(dir) === dir) return "unknown";
  }
}
