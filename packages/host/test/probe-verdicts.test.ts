import { describe, expect, it } from "vitest";
import type { HostHealth } from "../src/index.js";
import { livenessVerdict, readinessVerdict } from "../src/probe-verdicts.js";

function health(overrides: Partial<HostHealth>): HostHealth {
  return {
    hostName: "h1",
    state: "running",
    at: 100_000,
    leasesHeld: 4,
    partitionsReceiving: 4,
    eventsProcessed: 0,
    errors: 0,
    lastScanAt: 99_000,
    hosts: 2,
    scanInterval: 10_000,
    partitions: [],
    ...overrides,
  };
}

describe("probe verdicts", () => {
  it("a running host that scanned recently is live and ready", () => {
    expect(livenessVerdict(health({}), 5)).toEqual({ ok: true, reasons: [] });
    expect(readinessVerdict(health({}))).toEqual({ ok: true, reasons: [] });
  });

  it("a storage outage makes the host unready but never fails liveness", () => {
    const outage = health({ lastScanAt: 100_000 - 30_001 });
    expect(readinessVerdict(outage).ok).toBe(false);
    expect(readinessVerdict(outage).reasons[0]).toMatch(/30001 ms ago \(limit 30000 ms\)/);
    expect(livenessVerdict(outage, 5).ok).toBe(true);
    // Exactly three scan intervals old still passes; the threshold can be set.
    expect(readinessVerdict(health({ lastScanAt: 70_000 })).ok).toBe(true);
    expect(readinessVerdict(health({ lastScanAt: 95_000 }), { maxScanAgeInMs: 4000 }).ok).toBe(false);
  });

  it("a host that owns nothing (more hosts than partitions) is still ready", () => {
    expect(readinessVerdict(health({ leasesHeld: 0, partitionsReceiving: 0 })).ok).toBe(true);
  });

  it("starting, closing and closed hosts are not ready; only closed ones fail liveness", () => {
    expect(readinessVerdict(health({ state: "starting", lastScanAt: undefined })).reasons).toEqual([
      "Host h1 is starting, not running.",
    ]);
    expect(readinessVerdict(health({ lastScanAt: undefined })).reasons).toEqual([
      "The host has not scanned the leases yet.",
    ]);
    expect(readinessVerdict(health({ state: "closing" })).ok).toBe(false);
    expect(livenessVerdict(health({ state: "closing" }), 0).ok).toBe(true);
    expect(livenessVerdict(health({ state: "closed" }), 0).reasons).toEqual(["Host h1 is closed."]);
  });

  it("an event loop blocked past the limit fails liveness", () => {
    expect(livenessVerdict(health({}), 10_000).ok).toBe(true);
    expect(livenessVerdict(health({}), 10_001).reasons).toEqual([
      "The event loop was blocked for 10001 ms (limit 10000 ms).",
    ]);
    expect(livenessVerdict(health({}), 600, { maxEventLoopDelayInMs: 500 }).ok).toBe(false);
  });
});
