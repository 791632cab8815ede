import { describe, expect, it } from "vitest";
import { delay } from "../src/clock.js";
import { ManualClock } from "../src/manual-clock.js";
import { seededRandom } from "../src/seeded-random.js";

describe("ManualClock", () => {
  it("fires timers in due order only when time is advanced", async () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push("b"), 20);
    clock.setTimeout(() => fired.push("a"), 10);
    const c = clock.setTimeout(() => fired.push("c"), 15);
    clock.clearTimeout(c);
    await clock.advance(15);
    expect(fired).toEqual(["a"]);
    await clock.advance(5);
    expect(fired).toEqual(["a", "b"]);
    expect(clock.now()).toBe(20);
  });

  it("lets async work started by a timer run before the next timer", async () => {
    const clock = new ManualClock();
    const order: string[] = [];
    clock.setTimeout(async () => {
      await delay(clock, 5);
      order.push("after-delay");
    }, 10);
    clock.setTimeout(() => order.push("at-20"), 20);
    await clock.advance(30);
    expect(order).toEqual(["after-delay", "at-20"]);
  });
});

describe("seededRandom", () => {
  it("replays the same sequence for the same seed", () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
