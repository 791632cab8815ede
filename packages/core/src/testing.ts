// `@eph/core/testing`: tools for tests and simulations, kept out of the main entry point. Time and
// randomness are inputs of every eph component, so a test passes these and runs in virtual time, and a
// failing seed replays exactly.

export { ExpiryTracker } from "./expiry-tracker.js";
export { type Claim, type ClaimHistory, type LeaseView, type Plan, planClaims } from "./fair-share.js";
export { ManualClock, settle } from "./manual-clock.js";
export { seededRandom } from "./seeded-random.js";
