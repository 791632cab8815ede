// The CommonJS build's node-require.ts (tshy swaps it in): CommonJS has its own require.

/** Node's `require`, resolving from this package, for CommonJS modules without an exports map. */
export const nodeRequire: NodeJS.Require = require;
