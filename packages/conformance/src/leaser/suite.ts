import type { Leaser } from "@eph/core";
import type { LeaserFixtureFactory } from "../fixture.js";
import { type ConformanceOptions, resolveOptions } from "../options.js";
import { withSession } from "../session.js";
import type { TestFunctions } from "../test-functions.js";
import { acquireTests } from "./acquire.js";
import { ensureAndListTests } from "./ensure-and-list.js";
import { faultTests } from "./faults.js";
import { hostRecordTests } from "./host-records.js";
import { provisioningTests } from "./provisioning.js";
import { renewReleaseTests } from "./renew-release.js";

/**
 * Registers the Leaser contract tests with any runner's test functions, e.g. node:test's:
 *
 * ```ts
 * import { describe, it } from "node:test";
 * import { leaserSuite } from "@eph/conformance/suites";
 * leaserSuite({ describe, it }, "MyLeaser", async () => myFixture());
 * ```
 */
export function leaserSuite(
  test: TestFunctions,
  adapterName: string,
  factory: LeaserFixtureFactory,
  options?: ConformanceOptions,
): void {
  const { concurrency } = resolveOptions(options);
  const context = {
    test: (name: string, body: Parameters<typeof withSession<Leaser>>[1]) =>
      test.it(name, () => withSession(factory, body)),
    describe: test.describe,
    concurrency,
  };
  test.describe(`${adapterName}: Leaser conformance`, () => {
    provisioningTests(context);
    ensureAndListTests(context);
    acquireTests(context);
    renewReleaseTests(context);
    faultTests(context);
    hostRecordTests(context);
  });
}
