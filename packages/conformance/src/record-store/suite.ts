import { type ConformanceOptions, resolveOptions } from "../options.js";
import type { TestFunctions } from "../test-functions.js";
import { batchTests } from "./batches.js";
import { deleteTests } from "./deletes.js";
import { faultTests } from "./faults.js";
import { fieldTests } from "./fields.js";
import type { RecordStoreFixtureFactory } from "./fixture.js";
import { listingTests } from "./listing.js";
import { provisioningTests } from "./provisioning.js";
import { recordTest } from "./session.js";
import { writeTests } from "./writes.js";

/**
 * Registers the `RecordStore` contract tests with any runner's test functions:
 *
 * ```ts
 * import { describe, it } from "node:test";
 * import { recordStoreSuite } from "@eph/conformance/suites";
 * recordStoreSuite({ describe, it }, "MyRecordStore", async () => myFixture());
 * ```
 */
export function recordStoreSuite(
  test: TestFunctions,
  adapterName: string,
  factory: RecordStoreFixtureFactory,
  options?: ConformanceOptions,
): void {
  const resolved = resolveOptions(options);
  const context = { test: recordTest(test, factory, resolved), describe: test.describe };
  test.describe(`${adapterName}: RecordStore conformance`, () => {
    provisioningTests(context);
    writeTests(context);
    listingTests(context, resolved.manyRecords);
    deleteTests(context);
    fieldTests(context);
    batchTests(context);
    faultTests(context);
  });
}
