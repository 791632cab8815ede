#!/usr/bin/env node
// Packs every publishable package of the workspace (private ones are skipped) into one folder, as
// `pnpm publish` would upload them: `pnpm pack` turns each `workspace:` range into a real version
// range, so the tarballs install with plain npm, before anything is on the registry.
//
//   node scripts/pack-all.mjs [folder]     (default: packed/; `pnpm pack:all` builds first)
//
// The packed-install test (packages/packed-install) imports packAll from here.
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));

/** The workspace's packages that are published: `{ name, dir }`, in folder order. */
export function publishablePackages() {
  const packagesDir = join(root, "packages");
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(packagesDir, entry.name))
    .flatMap((dir) => {
      let manifest;
      try {
        manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      } catch {
        return [];
      }
      return manifest.private ? [] : [{ name: manifest.name, dir }];
    });
}

/** The pnpm that runs this script (a `pnpm` script sets npm_execpath), or the one on PATH. */
function pnpmCommand() {
  const execPath = process.env.npm_execpath;
  if (execPath && basename(execPath).startsWith("pnpm")) {
    return /\.[cm]?js$/.test(execPath) ? [process.execPath, [execPath]] : [execPath, []];
  }
  return ["pnpm", []];
}

/**
 * Packs every publishable package into `destination` (created if missing), a few at a time, and
 * resolves to `{ name, tarball }` for each. The packages must be built.
 */
export async function packAll(destination) {
  const dest = resolve(destination);
  mkdirSync(dest, { recursive: true });
  const [command, prefix] = pnpmCommand();
  const packages = publishablePackages();
  const packed = [];
  let next = 0;
  async function worker() {
    while (next < packages.length) {
      const { name, dir } = packages[next++];
      const { stdout } = await run(command, [...prefix, "pack", "--json", "--pack-destination", dest], { cwd: dir });
      packed.push({ name, tarball: JSON.parse(stdout).filename });
    }
  }
  await Promise.all([worker(), worker(), worker()]);
  return packed.sort((a, b) => a.name.localeCompare(b.name));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const destination = process.argv[2] ?? join(root, "packed");
  const packed = await packAll(destination);
  for (const { tarball } of packed) process.stdout.write(`${tarball}\n`);
  process.stderr.write(`${packed.length} packages packed into ${resolve(destination)}\n`);
}
