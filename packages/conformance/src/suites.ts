// The suites for any test runner, without vitest: `@eph/conformance/suites`.

export { checkpointerSuite } from "./checkpointer/suite.js";
export type { DeadLetterStoreFixture, DeadLetterStoreFixtureFactory } from "./dead-letter/fixture.js";
export { deadLetterStoreSuite } from "./dead-letter/suite.js";
export type { CheckpointerFixtureFactory, FixtureFactory, LeaserFixtureFactory, StoreFixture } from "./fixture.js";
export { leaserSuite } from "./leaser/suite.js";
export type { ConformanceOptions } from "./options.js";
export type { RecordStoreFixture, RecordStoreFixtureFactory } from "./record-store/fixture.js";
export { recordStoreSuite } from "./record-store/suite.js";
export type { TestFunctions } from "./test-functions.js";
