/**
 * The test functions a suite registers its tests with, as keyv's test suite takes `test`: vitest's
 * `{ describe, it }`, node:test's `{ describe, it }`, mocha's globals… Assertions inside the suites use
 * `node:assert`, so any runner reports their failures.
 */
export interface TestFunctions {
  /** Groups tests. */
  describe(name: string, body: () => void): unknown;
  /** Registers one asynchronous test. */
  it(name: string, body: () => Promise<void>): unknown;
}
