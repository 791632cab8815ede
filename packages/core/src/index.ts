export {
  type AdapterClass,
  type AdapterLogging,
  type AdapterRole,
  type AdapterSettings,
  type AdapterSpec,
  adapterOptions,
  type Connect,
  type ConnectableAdapterClass,
  checkpointerClass,
  connectionOptions,
  leaserClass,
  resourceAdapter,
  roleOptions,
} from "./adapter-class.js";
export { Balancer, type OwnedPartitionState } from "./balancer.js";
export {
  type BalancerOptions,
  type LeaseUpkeep,
  type LossReason,
  type OwnedPartition,
  type ResolvedTiming,
  resolveTiming,
  type ScanReport,
} from "./balancer-options.js";
export { checkedLogger } from "./checked-logger.js";
export { type Checkpoint, isRegression } from "./checkpoint.js";
export {
  type CheckpointCodec,
  type CheckpointState,
  checkCheckpoint,
  checkEpoch,
  decodeCheckpoint,
  defaultCheckpointCodec,
  encodeCheckpoint,
  officialLayoutFence,
  officialSequenceNumber,
  timeField,
} from "./checkpoint-codec.js";
export { type Clock, delay, systemClock, type TimerHandle } from "./clock.js";
export {
  type ConnectedClient,
  type ConnectionStringSpec,
  clientFromConnectionString,
  isLoopbackHost,
  requireConnectionString,
} from "./connection-string-check.js";
export { DefaultLeaseDuration, DefaultLeaseRenewalInterval, DefaultScanInterval } from "./constants.js";
export type {
  DeadLetter,
  DeadLetterDocuments,
  DeadLetterKey,
  DeadLetterStore,
  DeadLetterSummary,
  ListDeadLettersOptions,
  StoredDeadLetter,
} from "./dead-letter.js";
export { deadLetterId, parseDeadLetterId } from "./dead-letter-codec.js";
export { DocumentDeadLetterStore, type DocumentDeadLetterStoreOptions } from "./dead-letter-store.js";
export { withDeadline } from "./deadline.js";
export { ensureCreated } from "./ensure-created.js";
export { EphError, type EphErrorCode, type EphErrorOptions, isEphError, throwIfAborted } from "./errors.js";
export { keepsHostRecords } from "./heartbeat.js";
export { checkHostInfo, type EventProcessHostSetter, type HostInfo } from "./host-info.js";
export { decodeHostRecord, encodeHostRecord, type HostRecord, type HostRecordContent } from "./host-record.js";
export { classifyHttpFailure, type HttpStoreCodes, type ServiceBody } from "./http-failure.js";
export { Lease, type LeaseMarker, toLease } from "./lease.js";
export { decodeLease, encodeLease } from "./lease-codec.js";
export { type Logger, silentLogger } from "./logger.js";
export type { OperationOptions } from "./operation-options.js";
export {
  checkBoolean,
  checkChoice,
  checkClient,
  checkFunction,
  checkOptions,
  checkPositiveInteger,
} from "./option-check.js";
export { checkPartitionId, comparePartitionIds, describeValue } from "./partition-id.js";
export { type RandomSource, systemRandom } from "./random.js";
export type { HandlerID, Receiver } from "./receiver.js";
export { type BackingStore, RecordBacked, type RecordBackedOptions } from "./record-backed.js";
export { maxCheckpointAttempts, RecordCheckpointer, type RecordCheckpointerOptions } from "./record-checkpointer.js";
export { asRecordFields } from "./record-fields.js";
export { corruptRecord, countField, describeRecord, formatProblem, recordFormat } from "./record-format.js";
export { maxLeaseAttempts, RecordLeaser, type RecordLeaserOptions } from "./record-leaser.js";
export { type ListedItem, listedRecords } from "./record-listing.js";
export { allOrNothing, batchConflict, conflict, deleted, written } from "./record-outcomes.js";
export type {
  BatchOutcome,
  CreateRequest,
  DeleteOutcome,
  ListRecordsOptions,
  RecordFields,
  RecordKey,
  RecordKind,
  RecordScope,
  RecordStore,
  ReplaceRequest,
  VersionedRecord,
  WriteOutcome,
} from "./record-store.js";
export { redactSecrets } from "./redact.js";
export { scopeKeyParts } from "./scope-key.js";
export type {
  AcquireLeaseOptions,
  Checkpointer,
  EnsureCheckpointOptions,
  HostRecordWrite,
  LeaseListing,
  Leaser,
  StoreProvisioner,
  UpdateCheckpointOptions,
} from "./store.js";
export { storeCall } from "./store-call.js";
export {
  type StoreCallOptions,
  type StoreCallPriority,
  StoreCallQueue,
  type StoreCallQueueOptions,
  type StoreCallStats,
} from "./store-call-queue.js";
export {
  type ClassifiedFailure,
  failureError,
  isAnswer,
  type StoreAnswer,
  type StoreCallSite,
  type StoreFailureKind,
  StoreRequestError,
  storeError,
} from "./store-error.js";
export { untilAborted } from "./until-aborted.js";
