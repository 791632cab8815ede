export type { BatchContext, BatchHandler, BatchHandlerOptions } from "./batch-handler.js";
export type { HostWebSocketOptions, WebSocketConstructor } from "./client-options.js";
export type { AzureEnvironment, AzureEnvironmentName } from "./environment.js";
export type { EventHandler, HandlerContext } from "./handler.js";
export type { HostHealth, PartitionHealth, PartitionState } from "./health.js";
export {
  type EventLoopDelaySource,
  HealthProbes,
  type HealthProbesOptions,
  type HealthSource,
  type ProbeServer,
  type ProbeServerOptions,
} from "./health-probes.js";
export { type EventHubsCredential, EventProcessorHost } from "./host.js";
export type {
  HandlerFailureAction,
  HostErrorInfo,
  HostOperation,
  PartitionClosedInfo,
  PartitionCloseReason,
  PartitionOpenedInfo,
  RebalanceInfo,
} from "./host-events.js";
export type { CheckpointWriteResult, OwnershipChange } from "./host-metrics.js";
export type {
  BannerOutput,
  CheckpointPolicy,
  EventProcessorHostOptions,
  HandlerRetryPolicy,
} from "./host-options.js";
export type { MeterProviderLike } from "./otel-metrics.js";
export type { TracedOutcome, TracerProviderLike } from "./otel-tracing.js";
export type { InvalidPositionAction, PartitionRange } from "./position-check.js";
export type { ProbeThresholds, ProbeVerdict } from "./probe-verdicts.js";
export type { InitialPosition, StartPosition } from "./start-position.js";
