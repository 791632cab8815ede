// One file per module dialect (tshy): this is the ESM build's; node-require-cjs.cts replaces it in the
// CommonJS build, where import.meta does not exist.
import { createRequire } from "node:module";

/** Node's `require`, resolving from this package, for CommonJS modules without an exports map. */
// biome-ignore lint/suspicious/noTsIgnore: the CommonJS build type-checks this file too and must skip this line.
// @ts-ignore
export const nodeRequire: NodeJS.Require = createRequire(import.meta.url);
