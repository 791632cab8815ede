export type { CheckpointerFixtureFactory, FixtureFactory, LeaserFixtureFactory, StoreFixture } from "./fixture.js";
