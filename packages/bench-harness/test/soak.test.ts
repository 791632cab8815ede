import { expect, it } from "vitest";
import { runSoak, soakSummary } from "../src/soak.js";

// A short soak with real processes: hosts killed, paused past their lease, closed and replaced, links
// stolen, connections dropped, storage failing and slow. Every check must hold.
it("loses no event, never lets a fenced owner checkpoint, and settles after 40 s of chaos", async () => {
  const report = await runSoak({
    durationMs: 40_000,
    seed: 20261127,
    partitions: 8,
    hosts: 3,
    anchors: 1,
    ratePerSecond: 60,
  });
  const summary = soakSummary(report).join("\n");
  expect(report.actions.length, summary).toBeGreaterThan(5);
  expect(report.sent, summary).toBeGreaterThan(1000);
  expect(
    report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`),
    summary,
  ).toEqual([]);
}, 240_000);
