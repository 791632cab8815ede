// The CommonJS build's module-location.ts (tshy swaps it in): CommonJS has __dirname and require.

/** The directory of this package's compiled modules (`dist/commonjs`), where the entry scripts live. */
export const moduleDir: string = __dirname;

/** Node's `require`, resolving from this package, for CommonJS modules without an exports map. */
export const nodeRequire: NodeJS.Require = require;
