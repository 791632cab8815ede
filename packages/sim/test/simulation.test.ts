import { describe, expect, it } from "vitest";
import { memoryStores } from "../src/memory-stores.js";
import { simulate } from "../src/simulation.js";

const SEEDS = Number(process.env.EPH_SIM_SEEDS ?? 200);

describe("deterministic simulation: crashes, pauses, joins, leaves, restarts, store faults, clock skew", () => {
  it(`keeps every invariant over ${SEEDS} seeds`, async () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      const result = await simulate({ seed, stores: memoryStores, duration: 60_000 });
      if (result.violations.length > 0) {
        failures.push(
          `seed ${seed} (replay: pnpm sim --seed ${seed}):\n  ${result.violations.join("\n  ")}\n  events: ${result.events.join("; ")}`,
        );
      }
    }
    expect(failures, failures.join("\n")).toEqual([]);
  }, 600_000);

  it("replays a seed exactly", async () => {
    const a = await simulate({ seed: 42, stores: memoryStores, duration: 30_000 });
    const b = await simulate({ seed: 42, stores: memoryStores, duration: 30_000 });
    expect(b.events).toEqual(a.events);
    expect(b.calls).toBe(a.calls);
    expect(b.acquisitions).toBe(a.acquisitions);
  });
});
