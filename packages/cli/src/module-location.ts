// One file per module dialect (tshy): this is the ESM build's; module-location-cjs.cts replaces it in the
// CommonJS build, where import.meta does not exist.
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

// biome-ignore lint/suspicious/noTsIgnore: the CommonJS build type-checks this file too and must skip this line.
// @ts-ignore
const here: string = import.meta.url;

/** The directory of this package's compiled modules (`dist/esm`), where the entry scripts live. */
export const moduleDir: string = dirname(fileURLToPath(here));

/** Node's `require`, resolving from this package, for CommonJS modules without an exports map. */
export const nodeRequire: NodeJS.Require = createRequire(here);
