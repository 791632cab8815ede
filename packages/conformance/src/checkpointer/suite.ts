import type { Checkpointer } from "@eph/core";
import type { CheckpointerFixtureFactory } from "../fixture.js";
import { type ConformanceOptions, resolveOptions } from "../options.js";
import { withSession } from "../session.js";
import type { TestFunctions } from "../test-functions.js";
import { faultTests } from "./faults.js";
import { fencingTests } from "./fencing.js";
import { provisioningTests } from "./provisioning.js";
import { readWriteTests } from "./reads-and-writes.js";
import { recordTests } from "./records.js";
import { regressionTests } from "./regression.js";

/**
 * Registers the Checkpointer contract tests with any runner's test functions, e.g. node:test's:
 *
 * ```ts
 * import { describe, it } from "node:test";
 * import { checkpointerSuite } from "@eph/conformance/suites";
 * checkpointerSuite({ describe, it }, "MyCheckpointer", async () => myFixture());
 * ```
 */
export function checkpointerSuite(
  test: TestFunctions,
  adapterName: string,
  factory: CheckpointerFixtureFactory,
  options?: ConformanceOptions,
): void {
  const { concurrency } = resolveOptions(options);
  const context = {
    test: (name: string, body: Parameters<typeof withSession<Checkpointer>>[1]) =>
      test.it(name, () => withSession(factory, body)),
    describe: test.describe,
    concurrency,
  };
  test.describe(`${adapterName}: Checkpointer conformance`, () => {
    provisioningTests(context);
    readWriteTests(context);
    fencingTests(context);
    regressionTests(context);
    recordTests(context);
    faultTests(context);
  });
}
