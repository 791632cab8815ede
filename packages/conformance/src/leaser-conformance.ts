import type { LeaserFixtureFactory } from "./fixture.js";
import { leaserSuite } from "./leaser/suite.js";
import { type ConformanceOptions, resolveOptions } from "./options.js";
import { vitestFunctions } from "./vitest-functions.js";

/**
 * Registers the Leaser contract tests with vitest. Call it at the top level of a test file:
 *
 * ```ts
 * import { describeLeaserConformance } from "@eph/conformance";
 * describeLeaserConformance("MyLeaser", async () => myFixture());
 * ```
 *
 * Every test gets its own fixture from `factory` and tears it down afterwards.
 */
export function describeLeaserConformance(
  adapterName: string,
  factory: LeaserFixtureFactory,
  options?: ConformanceOptions,
): void {
  leaserSuite(vitestFunctions(resolveOptions(options).timeout), adapterName, factory, options);
}
