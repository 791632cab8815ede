import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// The root README's "Writing a store adapter" quotes these files whole; this test keeps the quotes true.
const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
const section = readme.slice(readme.indexOf("## Writing a store adapter"));

describe("the README's example adapter", () => {
  it.each(["json-file-store.ts", "json-file-store.test.ts"])("quotes test/example/%s exactly", (file) => {
    const code = readFileSync(new URL(`./example/${file}`, import.meta.url), "utf8");
    const first = code.slice(0, code.indexOf("\n"));
    const start = section.indexOf(`\`\`\`ts\n${first}\n`);
    expect(start, `a \`\`\`ts block starting with "${first}"`).toBeGreaterThanOrEqual(0);
    const block = section.slice(start + "```ts\n".length, section.indexOf("\n```\n", start) + 1);
    expect(block).toBe(code);
  });
});
