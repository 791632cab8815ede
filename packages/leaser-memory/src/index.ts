export type { RecordScope as LeaseScope } from "@eph/core";
export {
  type MemoryStoreCall,
  type MemoryStoreInterceptor,
  type MemoryStoreOperation,
  nextMicrotask,
} from "@eph/memory-common";
export { DefaultMaxLeaseRecords, MemoryLeaseStore, type MemoryLeaseStoreOptions } from "./memory-lease-store.js";
export { MemoryLeaser, type MemoryLeaserOptions } from "./memory-leaser.js";
