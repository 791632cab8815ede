export { Balancer, type OwnedPartitionState } from "./balancer.js";
export {
  type BalancerOptions,
  type LossReason,
  type OwnedPartition,
  type ResolvedTiming,
  resolveTiming,
  type ScanReport,
} from "./balancer-options.js";
export { type Checkpoint, isRegression } from "./checkpoint.js";
export { type Clock, delay, ManualClock, settle, systemClock, type TimerHandle } from "./clock.js";
export { DefaultLeaseDuration, DefaultLeaseRenewalInterval, DefaultScanInterval } from "./constants.js";
export { withDeadline } from "./deadline.js";
export { EphError, type EphErrorCode, type EphErrorOptions, isEphError, throwIfAborted } from "./errors.js";
export { ExpiryTracker } from "./expiry-tracker.js";
export { type Claim, type LeaseView, type Plan, planClaims } from "./fair-share.js";
export type { EventProcessHostSetter, HostInfo } from "./host-info.js";
export { Lease, type LeaseMarker, toLease } from "./lease.js";
export { type Logger, silentLogger } from "./logger.js";
export type { OperationOptions } from "./operation-options.js";
export { type RandomSource, seededRandom, shuffled, systemRandom } from "./random.js";
export type { HandlerID, Receiver } from "./receiver.js";
export type {
  BatchOutcome,
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
export type {
  AcquireLeaseOptions,
  Checkpointer,
  EnsureCheckpointOptions,
  Leaser,
  StoreProvisioner,
  UpdateCheckpointOptions,
} from "./store.js";
