import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { hostOptionSpecs, resolveHostOptions } from "../src/host-options.js";

const readme = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8");

/** The backticked names in the first column of the markdown table under `heading`. */
function tabledNames(text: string, heading: string): Set<string> {
  const section = text.slice(text.indexOf(heading));
  const rows =
    section
      .split("\n## ")[0]
      ?.split("\n")
      .filter((line) => line.startsWith("| `")) ?? [];
  const names = new Set<string>();
  for (const row of rows) {
    for (const match of (row.split("|")[1] ?? "").matchAll(/`([A-Za-z.]+)`/g)) names.add(match[1] as string);
  }
  return names;
}

describe("host options", () => {
  it("every option of the table is accepted and every other name refused", () => {
    for (const name of Object.keys(hostOptionSpecs)) {
      expect(() => resolveHostOptions({ [name]: undefined })).not.toThrow();
    }
    expect(() => resolveHostOptions({ maxBatchsize: 5 } as never)).toThrow(/Unknown option "maxBatchsize"/);
  });

  it("the host README documents every option, and no option that does not exist", () => {
    const documented = tabledNames(readme("../README.md"), "## Options");
    const known = Object.keys(hostOptionSpecs);
    expect(known.filter((name) => !documented.has(name))).toEqual([]);
    expect([...documented].filter((name) => !known.includes(name))).toEqual([]);
  });
});
