import { type ConformanceOptions, resolveOptions } from "./options.js";
import type { RecordStoreFixtureFactory } from "./record-store/fixture.js";
import { recordStoreSuite } from "./record-store/suite.js";
import { vitestFunctions } from "./vitest-functions.js";

/**
 * Registers the `RecordStore` contract tests with vitest. Call it at the top level of a test file:
 *
 * ```ts
 * import { describeRecordStoreConformance } from "@eph/conformance";
 * describeRecordStoreConformance("MyRecordStore", async () => myFixture());
 * ```
 */
export function describeRecordStoreConformance(
  adapterName: string,
  factory: RecordStoreFixtureFactory,
  options?: ConformanceOptions,
): void {
  recordStoreSuite(vitestFunctions(resolveOptions(options).timeout), adapterName, factory, options);
}
