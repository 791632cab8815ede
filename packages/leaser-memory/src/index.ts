export type { RecordScope as LeaseScope } from "@eph/core";
export * from "@eph/memory-common/interceptor";
export { DefaultMaxLeaseRecords, MemoryLeaseStore, type MemoryLeaseStoreOptions } from "./memory-lease-store.js";
export { MemoryLeaser, type MemoryLeaserOptions } from "./memory-leaser.js";
