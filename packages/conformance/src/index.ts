export { describeCheckpointerConformance } from "./checkpointer-conformance.js";
export type { CheckpointerFixtureFactory, FixtureFactory, LeaserFixtureFactory, StoreFixture } from "./fixture.js";
export { describeLeaserConformance } from "./leaser-conformance.js";
export type { ConformanceOptions } from "./options.js";
