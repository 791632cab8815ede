import type { DeadLetterStoreFixtureFactory } from "./dead-letter/fixture.js";
import { deadLetterStoreSuite } from "./dead-letter/suite.js";
import { type ConformanceOptions, resolveOptions } from "./options.js";
import { vitestFunctions } from "./vitest-functions.js";

/**
 * Registers the `DeadLetterStore` contract tests with vitest. Call it at the top level of a test file:
 *
 * ```ts
 * import { describeDeadLetterStoreConformance } from "@eph/conformance";
 * describeDeadLetterStoreConformance("MyDeadLetterStore", async () => myFixture());
 * ```
 */
export function describeDeadLetterStoreConformance(
  adapterName: string,
  factory: DeadLetterStoreFixtureFactory,
  options?: ConformanceOptions,
): void {
  deadLetterStoreSuite(vitestFunctions(resolveOptions(options).timeout), adapterName, factory);
}
