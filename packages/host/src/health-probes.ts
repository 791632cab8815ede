import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { EphError } from "@eph/core";
import type { HostHealth } from "./health.js";
import { livenessVerdict, type ProbeThresholds, type ProbeVerdict, readinessVerdict } from "./probe-verdicts.js";

/** Where the liveness probe reads how long the event loop was blocked. */
export interface EventLoopDelaySource {
  /** The longest event-loop delay (ms) since the last `reset()`. */
  maxDelayInMs(): number;
  /** Starts a new measuring window. */
  reset(): void;
  /** Stops measuring. */
  close(): void;
}

/** Options of {@link HealthProbes}. */
export interface HealthProbesOptions extends ProbeThresholds {
  /** Where event-loop delay is read. Default: `node:perf_hooks`' `monitorEventLoopDelay`. */
  eventLoopDelay?: EventLoopDelaySource;
}

/** Options of {@link HealthProbes.listen}. */
export interface ProbeServerOptions {
  /** The port; 0 (the default) picks a free one. */
  port?: number;
  /** The address to bind. Default: every interface (what Kubernetes' kubelet needs to reach the pod). */
  host?: string;
}

/** A running probe server. */
export interface ProbeServer {
  /** The port it listens on. */
  readonly port: number;
  /** Stops the server. */
  close(): Promise<void>;
}

/** Anything with a `health()` snapshot: an `EventProcessorHost`. */
export interface HealthSource {
  /** The host's current health. */
  health(): HostHealth;
}

const paths = { "/healthz": "liveness", "/readyz": "readiness" } as const;

/**
 * Kubernetes-style probes over `host.health()`: `GET /healthz` (liveness) and `GET /readyz`
 * (readiness) answer 200 or 503 with a JSON body `{ status, state, reasons }`. Serve them on a port of
 * their own with {@link HealthProbes.listen}, or mount {@link HealthProbes.handle} in your own
 * `node:http` server. Use liveness for `livenessProbe` (restart a wedged process; a storage outage
 * never fails it) and readiness for `readinessProbe` and start-up (running, scanned, store reachable).
 */
export class HealthProbes {
  readonly #host: HealthSource;
  readonly #thresholds: ProbeThresholds;
  readonly #delay: EventLoopDelaySource;

  /** Probes of `host` (`InvalidOption` for a malformed threshold). */
  constructor(host: HealthSource, options: HealthProbesOptions = {}) {
    if (typeof host?.health !== "function") {
      throw new EphError("InvalidOption", "HealthProbes needs a host with a health() method.");
    }
    for (const name of ["maxScanAgeInMs", "maxEventLoopDelayInMs"] as const) {
      const value = options[name];
      if (value !== undefined && !(typeof value === "number" && Number.isFinite(value) && value > 0)) {
        throw new EphError("InvalidOption", `Option "${name}" must be a positive number of ms, got ${String(value)}.`);
      }
    }
    this.#host = host;
    this.#thresholds = { maxScanAgeInMs: options.maxScanAgeInMs, maxEventLoopDelayInMs: options.maxEventLoopDelayInMs };
    this.#delay = options.eventLoopDelay ?? histogramDelay();
  }

  /** The liveness verdict now; starts a new event-loop measuring window. */
  liveness(): ProbeVerdict {
    const delay = this.#delay.maxDelayInMs();
    this.#delay.reset();
    return livenessVerdict(this.#host.health(), delay, this.#thresholds);
  }

  /** The readiness verdict now. */
  readiness(): ProbeVerdict {
    return readinessVerdict(this.#host.health(), this.#thresholds);
  }

  /**
   * Answers `/healthz` and `/readyz` (GET and HEAD; other methods 405) and returns true; returns false,
   * without touching `res`, for any other path, so your server can answer it.
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? "/").split("?")[0] as string;
    const probe = paths[path as keyof typeof paths];
    if (probe === undefined) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return true;
    }
    const verdict = probe === "liveness" ? this.liveness() : this.readiness();
    const body = JSON.stringify({
      status: verdict.ok ? "ok" : "unavailable",
      state: this.#host.health().state,
      reasons: verdict.reasons,
    });
    res.writeHead(verdict.ok ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  }

  /** Serves the probes on a port of their own (404 for other paths). */
  async listen(options: ProbeServerOptions = {}): Promise<ProbeServer> {
    const server = createServer((req, res) => {
      if (!this.handle(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, options.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    return {
      port: (server.address() as AddressInfo).port,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }

  /** Stops measuring the event loop. Servers from `listen` are closed on their own. */
  close(): void {
    this.#delay.close();
  }
}

function histogramDelay(): EventLoopDelaySource {
  const histogram = monitorEventLoopDelay({ resolution: 20 });
  histogram.enable();
  return {
    // The histogram holds nanoseconds; before its first sample its max is 0.
    maxDelayInMs: () => histogram.max / 1e6,
    reset: () => histogram.reset(),
    close: () => histogram.disable(),
  };
}
