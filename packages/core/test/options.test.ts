import { describe, expect, it } from "vitest";
import { Balancer } from "../src/balancer.js";
import type { BalancerOptions } from "../src/balancer-options.js";
import { EphError } from "../src/errors.js";
import type { Leaser } from "../src/store.js";

// The balancer validates before touching the store, so an object without methods is enough here.
const leaser = {} as Leaser;
const base: BalancerOptions = { leaser, hostName: "h", partitionIds: () => ["0"] };

function codeAndMessage(options: BalancerOptions): [string, string] {
  try {
    new Balancer(options);
  } catch (error) {
    if (error instanceof EphError) return [error.code, error.message];
    throw error;
  }
  return ["none", ""];
}

describe("Balancer options", () => {
  it.each([
    [{ leaseDuration: 10_000, renewalInterval: 10_000 }, "leaseDuration"],
    [{ renewalInterval: 0 }, "renewalInterval"],
    [{ scanInterval: -1 }, "scanInterval"],
    [{ leaseDuration: Number.NaN }, "leaseDuration"],
    [{ hostName: "  " }, "hostName"],
    [{ maxConcurrentCalls: 1.5 }, "maxConcurrentCalls"],
  ])("rejects %o naming %s", (patch, name) => {
    const [code, message] = codeAndMessage({ ...base, ...patch });
    expect(code).toBe("InvalidOption");
    expect(message).toContain(name);
  });

  it("accepts the seed's defaults", () => {
    const b = new Balancer(base);
    expect(b.settings.leaseDuration).toBe(60_000);
    expect(b.settings.renewalInterval).toBe(10_000);
  });
});
