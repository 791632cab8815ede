export { describeCheckpointerConformance } from "./checkpointer-conformance.js";
export { describeDeadLetterStoreConformance } from "./dead-letter-conformance.js";
export { describeLeaserConformance } from "./leaser-conformance.js";
export { describeRecordStoreConformance } from "./record-store-conformance.js";
export * from "./suites.js";
