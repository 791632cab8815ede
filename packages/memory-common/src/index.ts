export { MemoryRecordStore, recordTableOf } from "./memory-record-store.js";
export { RecordTable, type ReplaceResult, type StoredRecord } from "./record-table.js";
export { type ConfiguredScope, configureScope, describeRecord, type RecordScope, scopeKey } from "./scope.js";
export {
  type MemoryStoreCall,
  type MemoryStoreInterceptor,
  type MemoryStoreOperation,
  nextMicrotask,
  runStoreCall,
} from "./store-call.js";
