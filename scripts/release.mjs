#!/usr/bin/env node
// `pnpm release`: version the packages from the pending changesets, build, check the tarballs, and
// publish. Without --publish (the default, since this machine has no registry credentials) it changes
// nothing: it shows the planned bumps (`changeset status`) and what `pnpm publish` would upload
// (`pnpm -r publish --dry-run`). With --publish: `changeset version`, build, then `changeset publish`,
// with npm provenance from each package's publishConfig (needs CI with an OIDC token, e.g. GitHub
// Actions `id-token: write`, and NPM_TOKEN or trusted publishing). See docs/releasing.md.
import { execFileSync } from "node:child_process";

const publish = process.argv.includes("--publish");
const run = (command, args) => execFileSync(command, args, { stdio: "inherit" });

if (!publish) {
  run("pnpm", ["changeset", "status", "--verbose"]);
  run("pnpm", ["build"]);
  run("pnpm", ["-r", "publish", "--dry-run", "--no-git-checks"]);
  process.stderr.write("Dry run: nothing was versioned or published. `pnpm release --publish` does both.\n");
} else {
  run("pnpm", ["changeset", "version"]);
  run("pnpm", ["install", "--lockfile-only"]);
  run("pnpm", ["build"]);
  run("pnpm", ["changeset", "publish"]);
}
