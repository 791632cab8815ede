/** How a partition came to this host or left it, as the ownership-change metric counts it. */
export type OwnershipChange = "acquired" | "released" | "handed_off" | "stolen" | "lost" | "failed";

/** How a checkpoint write ended, as the checkpoint metric counts it. */
export type CheckpointWriteResult = "written" | "failed" | "fenced";

/**
 * What the host reports to its metrics. Without `@opentelemetry/api` installed the host uses
 * {@link noHostMetrics}, whose calls do nothing; the host never measures what nobody records.
 */
export interface HostMetrics {
  /** False for {@link noHostMetrics}: the host then skips timing handlers. */
  readonly enabled: boolean;
  /** One handler call on one event ended after `durationMs` (`ok` false when it threw or rejected). */
  handlerCall(partitionId: string, durationMs: number, ok: boolean): void;
  /** One event completed (handled by every handler, or skipped by the failure policy). */
  eventHandled(partitionId: string): void;
  /** A partition came to this host or left it. */
  ownershipChanged(partitionId: string, change: OwnershipChange): void;
  /**
   * A lease renewal ended after `durationMs`; `partitionId` is `undefined` for a liveness write, which
   * renews every lease of the host at once (heartbeat upkeep).
   */
  leaseRenewal(partitionId: string | undefined, durationMs: number, ok: boolean): void;
  /** A checkpoint write ended. */
  checkpointWrite(partitionId: string, result: CheckpointWriteResult): void;
  /** Stops the observable gauges. */
  close(): void;
}

/** Metrics that record nothing. */
export const noHostMetrics: HostMetrics = {
  enabled: false,
  handlerCall: () => undefined,
  eventHandled: () => undefined,
  ownershipChanged: () => undefined,
  leaseRenewal: () => undefined,
  checkpointWrite: () => undefined,
  close: () => undefined,
};
