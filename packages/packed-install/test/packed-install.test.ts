import { type ChildProcess, execFile, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without declarations (the same one `pnpm pack:all` runs).
import { packAll, publishablePackages } from "../../../scripts/pack-all.mjs";

const exec = promisify(execFile);
const root = fileURLToPath(new URL("../../..", import.meta.url));
const fixtures = fileURLToPath(new URL("../fixtures", import.meta.url));
const workspaceRequire = createRequire(join(root, "package.json"));

type Packed = { name: string; tarball: string };
const listPublishable = publishablePackages as () => { name: string; dir: string }[];
const pack = packAll as (destination: string) => Promise<Packed[]>;

/** The Node lines the packages support besides this machine's: fetched once as the registry's `node` package. */
const otherNodeLines = ["22", "24"];
const eventsPerRun = 12;

let work: string;
let project: string;
let packed: Packed[];
const nodes = new Map<string, string>(); // line -> node binary
let stack: ChildProcess | undefined;
let connections: { eventHubs: Record<string, string>; storage: string };

/** The first two ```js blocks after the README's "Your first host" heading: the ES module and CommonJS forms. */
function readmePrograms(): { esm: string; cjs: string } {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Your first host"));
  const blocks = [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  const [esm, cjs] = blocks;
  if (!esm?.includes("import {") || !cjs?.includes("require(")) {
    throw new Error("README.md: the first host section must show the program with import, then with require");
  }
  return { esm, cjs };
}

/** `node@<line>` from the registry (npx keeps it in its cache, so later runs start at once). */
async function nodeBinary(line: string): Promise<string> {
  const { stdout } = await exec(
    "npx",
    ["--prefer-offline", "-y", "-p", `node@${line}`, "node", "-p", "process.execPath"],
    { cwd: tmpdir(), maxBuffer: 1 << 20 },
  );
  return stdout.trim();
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** Every entry point an installed package exports (`@eph/x`, `@eph/x/sub`), but not its package.json. */
function entryPoints(name: string): string[] {
  const manifest = JSON.parse(readFileSync(join(project, "node_modules", name, "package.json"), "utf8"));
  return Object.keys(manifest.exports as Record<string, unknown>)
    .filter((subpath) => subpath !== "./package.json")
    .map((subpath) => (subpath === "." ? name : `${name}/${subpath.slice(2)}`));
}

async function runNode(node: string, args: string[]): Promise<string> {
  const { stdout } = await exec(node, args, { cwd: project, maxBuffer: 16 << 20 });
  return stdout;
}

/** Runs a first-host program until it has handled every event sent to `hub`, then stops it with SIGINT. */
function runFirstProgram(
  node: string,
  file: string,
  hub: string,
): Promise<{ handled: Set<string>; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [file], {
      cwd: project,
      env: {
        PATH: process.env.PATH ?? "",
        EPH_EVENTHUB_CONNECTION_STRING: connections.eventHubs[hub] as string,
        EPH_STORAGE_CONNECTION_STRING: connections.storage,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const handled = new Set<string>();
    let output = "";
    let pending = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${file} on ${hub} handled ${handled.size} of ${eventsPerRun} events:\n${output}`));
    }, 60_000);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        const body = /^partition \d+ #\d+: (.*)$/.exec(line)?.[1];
        if (body !== undefined) handled.add(body);
      }
      if (handled.size >= eventsPerRun && !child.killed) child.kill("SIGINT");
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (handled.size < eventsPerRun)
        reject(new Error(`${file} exited with ${code} before handling every event:\n${output}`));
      else resolve({ handled, code });
    });
  });
}

function expectedBodies(hub: string): Set<string> {
  return new Set(Array.from({ length: eventsPerRun }, (_, n) => JSON.stringify({ hub, n })));
}

const runs = ["machine", ...otherNodeLines].flatMap((line) => ["mjs", "cjs"].map((form) => ({ line, form })));
const hubOf = (line: string, form: string) => `first-${line}-${form}`;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "eph-packed-install-"));
  project = join(work, "project");
  const nodesReady = Promise.all(otherNodeLines.map(async (line) => nodes.set(line, await nodeBinary(line))));
  packed = await pack(join(work, "tarballs"));
  // A fresh project outside the workspace, as a user's: nothing resolves to the workspace from there.
  mkdirSync(project);
  writeFileSync(
    join(project, "package.json"),
    `${JSON.stringify({ name: "consumer", version: "1.0.0", private: true })}\n`,
  );
  for (const file of readdirSync(fixtures)) copyFileSync(join(fixtures, file), join(project, file));
  copyFileSync(join(fixtures, "consumer.ts"), join(project, "consumer.mts"));
  copyFileSync(join(fixtures, "consumer.ts"), join(project, "consumer.cts"));
  const { esm, cjs } = readmePrograms();
  writeFileSync(join(project, "first.mjs"), esm);
  writeFileSync(join(project, "first.cjs"), cjs);
  await exec(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      ...packed.map((p) => p.tarball),
      "@azure/event-hubs@^6.0.4", // the stack's producer
      "@types/node@20", // for the TypeScript consumer
      "vitest@^4.1.12", // the optional peer of @eph/conformance's main entry, as its users have it
      "azurite@3.35.0", // the optional peer of @eph/cli that its emulator and demo load
    ],
    { cwd: project, maxBuffer: 16 << 20 },
  );
  nodes.set("machine", process.execPath);
  await nodesReady;
  stack = spawn(process.execPath, ["stack.mjs", String(eventsPerRun), ...runs.map((r) => hubOf(r.line, r.form))], {
    cwd: project,
    stdio: ["pipe", "pipe", "inherit"],
  });
  connections = await new Promise((resolve, reject) => {
    let out = "";
    stack?.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      if (out.includes("\n")) resolve(JSON.parse(out.slice(0, out.indexOf("\n"))));
    });
    stack?.once("exit", (code) => reject(new Error(`the emulator and Azurite did not start (exit ${code})`)));
  });
});

afterAll(async () => {
  if (stack && stack.exitCode === null) {
    const exited = new Promise((resolve) => stack?.once("exit", resolve));
    stack.stdin?.end();
    await exited;
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the README's first program", () => {
  it("leaves hostName to the default, unique per process (process.pid is 1 in every container)", () => {
    const { esm, cjs } = readmePrograms();
    for (const program of [esm, cjs]) {
      expect(program).not.toContain("process.pid");
      expect(program).not.toMatch(/hostName\s*:/);
    }
  });
});

describe("the packed tarballs", () => {
  it("are one per published package, and none of a private one", () => {
    const published = listPublishable().map((p) => p.name);
    expect(packed.map((p) => p.name)).toEqual([...published].sort());
    for (const privateName of ["@eph/sim", "@eph/bench-harness", "@eph/testing", "@eph/packed-install"]) {
      expect(published).not.toContain(privateName);
    }
  });

  it("hold the builds, README and LICENSE: no build info, no sources, maps that carry their sources", () => {
    for (const { name } of packed) {
      const dir = join(project, "node_modules", name);
      const files = filesUnder(dir).map((f) => relative(dir, f));
      expect(files).toContain("README.md");
      expect(files).toContain("LICENSE");
      expect(files.filter((f) => !/^(dist\/(esm|commonjs)\/|README\.md$|LICENSE$|package\.json$)/.test(f))).toEqual([]);
      expect(files.filter((f) => f.endsWith(".tsbuildinfo") || f.endsWith(".d.ts.map"))).toEqual([]);
      for (const map of files.filter((f) => f.endsWith(".js.map") || f.endsWith(".cjs.map"))) {
        const { sources, sourcesContent } = JSON.parse(readFileSync(join(dir, map), "utf8"));
        expect(sourcesContent?.length, `${name}/${map}`).toBe(sources.length);
      }
    }
  });

  it("say where they come from: repository with directory, homepage, bugs, keywords, license", () => {
    for (const { name } of packed) {
      const manifest = JSON.parse(readFileSync(join(project, "node_modules", name, "package.json"), "utf8"));
      const folder = name.replace("@eph/", "");
      expect(manifest.repository).toEqual({
        type: "git",
        url: "git+https://github.com/eph-project/eph.git",
        directory: `packages/${folder}`,
      });
      expect(manifest.homepage).toBe(`https://github.com/eph-project/eph/tree/main/packages/${folder}#readme`);
      expect(manifest.bugs).toEqual({ url: "https://github.com/eph-project/eph/issues" });
      expect(manifest.keywords).toEqual(expect.arrayContaining(["azure", "event-hubs"]));
      expect(manifest.license).toBe("MIT");
      expect(manifest.publishConfig).toMatchObject({ access: "public", provenance: true });
      expect(JSON.stringify(manifest.dependencies ?? {})).not.toContain("workspace:");
    }
  });

  it("pass @arethetypeswrong/cli (every resolution mode) and publint", async () => {
    // Their bins (neither exports its CLI module): root devDependencies of the workspace. The node16
    // profile checks ESM and CommonJS resolution, not node10, which has no subpath exports.
    const attw = join(root, "node_modules", "@arethetypeswrong", "cli", "dist", "index.js");
    const publint = join(root, "node_modules", "publint", "src", "cli.js");
    const reports = await Promise.all(
      packed.map(async ({ name, tarball }) => {
        const types = await exec(process.execPath, [attw, tarball, "--format", "json", "--profile", "node16"], {
          maxBuffer: 16 << 20,
        }).then(
          (r) => JSON.parse(r.stdout),
          (error: { stdout?: string }) => JSON.parse(error.stdout ?? "{}"),
        );
        // CI=true makes publint colour its output; the verdict is compared as plain text.
        const plain = { env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } };
        const lint = await exec(process.execPath, [publint, tarball, "--strict"], plain).then(
          (r) => r.stdout,
          (error: { stdout?: string }) => `failed: ${error.stdout}`,
        );
        const problems = Object.values(
          (types.problems ?? { unread: [types] }) as Record<string, { resolutionKind?: string }[]>,
        )
          .flat()
          .filter((problem) => problem.resolutionKind !== "node10");
        return { name, problems, lint: lint.trim().split("\n").at(-1) };
      }),
    );
    for (const report of reports)
      expect(report, report.name).toEqual({ name: report.name, problems: [], lint: "All good!" });
  });
});

describe("a TypeScript consumer of the installed packages", () => {
  const tsc = workspaceRequire.resolve("typescript/bin/tsc");
  for (const config of ["tsconfig.nodenext.json", "tsconfig.bundler.json"]) {
    it(`type-checks with ${config} (library declarations included)`, async () => {
      await expect(runNode(process.execPath, [tsc, "-p", config])).resolves.toBe("");
    });
  }
});

describe.each(["machine", ...otherNodeLines])("on Node %s", (line) => {
  it("every entry point of every package loads with import and with require(), with the same exports", async () => {
    const node = nodes.get(line) as string;
    const entries = packed.flatMap((p) => entryPoints(p.name));
    const imported = JSON.parse(await runNode(node, ["entries.mjs", ...entries]));
    const required = JSON.parse(await runNode(node, ["entries.cjs", ...entries]));
    for (const entry of entries) {
      expect(imported[entry], `import ${entry}`).toEqual(expect.arrayContaining([expect.any(String)]));
      if (entry === "@eph/conformance") {
        // Its suites call vitest's describe/it, and vitest itself refuses require() (it is ESM only).
        expect(required[entry]).toEqual({
          error: expect.stringContaining("Vitest cannot be imported in a CommonJS module"),
        });
        continue;
      }
      expect(required[entry], `require ${entry}`).toEqual(imported[entry]);
    }
    expect(imported["@eph/host"]).toContain("EventProcessorHost");
  });

  it("the ESM and CommonJS copies of @eph/core in one process recognise each other's errors", async () => {
    const checks = JSON.parse(await runNode(nodes.get(line) as string, ["two-copies.mjs"]));
    expect(checks).toEqual({ twoCopies: true, cjsSeesEsmError: true, esmSeesCjsError: true });
  });

  it("the README's first program handles every event, as .mjs and as .cjs, and exits 0 on SIGINT", async () => {
    const node = nodes.get(line) as string;
    const results = await Promise.all(
      ["mjs", "cjs"].map((form) => runFirstProgram(node, `first.${form}`, hubOf(line, form))),
    );
    for (const [i, form] of ["mjs", "cjs"].entries()) {
      expect(results[i]?.handled).toEqual(expectedBodies(hubOf(line, form)));
      expect(results[i]?.code).toBe(0);
    }
  });
});
