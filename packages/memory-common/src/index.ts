export * from "./memory-adapter.js";
export * from "./memory-record-store.js";
export * from "./memory-records.js";
export * from "./store-call.js";
