export {
  DefaultMaxLeaseRecords,
  MemoryLeaseStore,
  type MemoryLeaseStoreOptions,
} from "./memory-lease-store.js";
export { MemoryLeaser, type MemoryLeaserOptions } from "./memory-leaser.js";
export type { LeaseScope } from "./scope.js";
export {
  type MemoryStoreCall,
  type MemoryStoreInterceptor,
  type MemoryStoreOperation,
  nextMicrotask,
} from "./store-call.js";
