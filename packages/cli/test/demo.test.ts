import { describe, expect, it } from "vitest";
import type { DemoSummary } from "../src/demo/demo-run.js";
import { ExitCode } from "../src/exit-codes.js";
import { runEph } from "./run-eph.js";

describe("eph demo --short", () => {
  it("runs three host processes through a crash and a join, loses no event, and exits 0", async () => {
    const run = await runEph(["demo", "--short", "--json"], {}, { timeoutMs: 90_000 });
    expect(run.code, run.stderr).toBe(ExitCode.Ok);
    const summary = JSON.parse(run.stdout) as DemoSummary;
    expect(summary.ok).toBe(true);
    expect(summary.lost).toBe(0);
    expect(summary.eventsSent).toBeGreaterThan(100);
    expect(summary.eventsProcessed).toBe(summary.eventsSent);
    expect(summary.deliveries).toBe(summary.eventsProcessed + summary.duplicates);
    expect(summary.hostFailures).toEqual([]);
    expect(summary.rebalances.map((r) => r.name)).toEqual(["start", "crash", "join"]);
    for (const r of summary.rebalances) expect(r.durationMs, r.description).not.toBeNull();
    // The killed host's partitions are opened by the survivors; a planned handoff replays nothing.
    const crash = summary.rebalances[1];
    expect(crash?.partitionsOpened).toBeGreaterThan(0);
    // Distinct partitions: never more than the hub has; every extra receiver is a partition opened again.
    for (const r of summary.rebalances) {
      expect(r.partitionsOpened).toBeLessThanOrEqual(summary.partitions);
      expect(r.receiversOpened).toBeGreaterThanOrEqual(r.partitionsOpened);
    }
    expect(summary.rebalances[2]?.duplicates).toBe(0);
    // Not a terminal: plain lines, no cursor movement.
    expect(run.stderr).not.toContain("\x1b[");
    expect(run.stderr).toContain("killing host-b (SIGKILL)");
    expect(run.stderr).toContain("Result: no event lost.");
    expect(run.stderr).not.toMatch(/\b1 partitions\b|\b1 duplicates\b/);
  });
});
