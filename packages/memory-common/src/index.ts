export { MemoryRecordStore, recordTableOf } from "./memory-record-store.js";
export { MemoryRecords } from "./memory-records.js";
export { RecordTable, type StoredRecord } from "./record-table.js";
export {
  type MemoryStoreCall,
  type MemoryStoreInterceptor,
  type MemoryStoreOperation,
  nextMicrotask,
  runStoreCall,
} from "./store-call.js";
