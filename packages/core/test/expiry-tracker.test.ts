import { describe, expect, it } from "vitest";
import { ExpiryTracker } from "../src/expiry-tracker.js";

const lease = (version: string, owner = "a") => ({ partitionId: "0", epoch: 1, owner, version });

describe("ExpiryTracker (expiry on the observer's own clock)", () => {
  it("expires a lease whose version stayed unchanged for the lease duration of the observer's clock", () => {
    const t = new ExpiryTracker(60_000);
    t.observe(lease("v1"), 1_000);
    expect(t.isFree(lease("v1"), 60_999)).toBe(false);
    expect(t.isFree(lease("v1"), 61_000)).toBe(true);
    expect(t.expiresAt("0")).toBe(61_000);
  });

  it("restarts the count whenever the version changes (the owner renewed)", () => {
    const t = new ExpiryTracker(60_000);
    t.observe(lease("v1"), 0);
    t.observe(lease("v2"), 50_000);
    expect(t.isFree(lease("v2"), 100_000)).toBe(false);
    expect(t.isFree(lease("v2"), 110_000)).toBe(true);
  });

  it("treats a lease seen for the first time as alive, however old it is: no timestamps from other machines", () => {
    const t = new ExpiryTracker(60_000);
    t.observe(lease("ancient"), 5_000_000);
    expect(t.isFree(lease("ancient"), 5_000_001)).toBe(false);
  });

  it("treats released leases as free at once", () => {
    const t = new ExpiryTracker(60_000);
    t.observe(lease("v1", ""), 0);
    expect(t.isFree(lease("v1", ""), 0)).toBe(true);
    expect(t.expiresAt("0")).toBeUndefined();
  });
});
