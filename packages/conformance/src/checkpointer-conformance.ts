import { checkpointerSuite } from "./checkpointer/suite.js";
import type { CheckpointerFixtureFactory } from "./fixture.js";
import { type ConformanceOptions, resolveOptions } from "./options.js";
import { vitestFunctions } from "./vitest-functions.js";

/**
 * Registers the Checkpointer contract tests with vitest. Call it at the top level of a test file:
 *
 * ```ts
 * import { describeCheckpointerConformance } from "@eph/conformance";
 * describeCheckpointerConformance("MyCheckpointer", async () => myFixture());
 * ```
 *
 * Every test gets its own fixture from `factory` and tears it down afterwards.
 */
export function describeCheckpointerConformance(
  adapterName: string,
  factory: CheckpointerFixtureFactory,
  options?: ConformanceOptions,
): void {
  checkpointerSuite(vitestFunctions(resolveOptions(options).timeout), adapterName, factory, options);
}
