import type { HostHealth } from "./health.js";

/** The verdict of one probe: `ok`, or the reasons it failed. */
export interface ProbeVerdict {
  /** True when the probe passes. */
  readonly ok: boolean;
  /** Why it failed, one sentence each; empty when it passes. Never holds secrets. */
  readonly reasons: readonly string[];
}

/** Thresholds of the liveness and readiness probes. */
export interface ProbeThresholds {
  /**
   * Readiness fails when the host's last successful scan of the leases is older than this (ms): the
   * lease store is out of reach. Default 3 × the host's `scanInterval`.
   */
  maxScanAgeInMs?: number;
  /**
   * Liveness fails when the event loop was blocked longer than this (ms) since the previous liveness
   * probe: the process is wedged. Default 10 000. A loop blocked for good fails by not answering.
   */
  maxEventLoopDelayInMs?: number;
}

/** The default of {@link ProbeThresholds.maxEventLoopDelayInMs}. */
export const defaultMaxEventLoopDelayInMs = 10_000;

/**
 * Liveness: is this process worth keeping? Only a wedged process (event loop blocked past the
 * threshold) or a host that has closed fails it. A storage or network outage never does: restarting
 * every pod of a fleet at once would not bring the store back, and each host already stops reading
 * partitions whose leases it cannot keep.
 */
export function livenessVerdict(
  health: HostHealth,
  eventLoopDelayInMs: number,
  thresholds: ProbeThresholds = {},
): ProbeVerdict {
  const reasons: string[] = [];
  if (health.state === "closed") reasons.push(`Host ${health.hostName} is closed.`);
  const maxDelay = thresholds.maxEventLoopDelayInMs ?? defaultMaxEventLoopDelayInMs;
  if (eventLoopDelayInMs > maxDelay) {
    reasons.push(`The event loop was blocked for ${Math.round(eventLoopDelayInMs)} ms (limit ${maxDelay} ms).`);
  }
  return { ok: reasons.length === 0, reasons };
}

/**
 * Readiness: should this host count as serving? It passes once the host is running and has scanned
 * the leases (balancing or balanced, whether or not it owns partitions), and fails while it starts,
 * closes, or cannot reach the lease store for longer than `maxScanAgeInMs`.
 */
export function readinessVerdict(health: HostHealth, thresholds: ProbeThresholds = {}): ProbeVerdict {
  const reasons: string[] = [];
  if (health.state !== "running") reasons.push(`Host ${health.hostName} is ${health.state}, not running.`);
  const maxAge = thresholds.maxScanAgeInMs ?? 3 * health.scanInterval;
  if (health.lastScanAt === undefined) {
    if (health.state === "running") reasons.push("The host has not scanned the leases yet.");
  } else if (health.at - health.lastScanAt > maxAge) {
    reasons.push(
      `The last successful scan of the leases was ${health.at - health.lastScanAt} ms ago (limit ${maxAge} ms): the lease store is out of reach.`,
    );
  }
  return { ok: reasons.length === 0, reasons };
}
