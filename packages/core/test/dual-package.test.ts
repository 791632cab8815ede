import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

// Both builds of this package, loaded side by side as a program that imports @eph/core in one place and
// requires it in another would load them (turbo builds dist/ before the tests run).
type Core = typeof import("../src/index.js");
const esm = (await import(new URL("../dist/esm/index.js", import.meta.url).href)) as Core;
const cjs = createRequire(import.meta.url)("../dist/commonjs/index.js") as Core;

describe("the ESM and CommonJS builds in one process", () => {
  it("are two copies with two EphError classes", () => {
    expect(esm.EphError).not.toBe(cjs.EphError);
  });

  it("recognise each other's errors by isEphError, code and instanceof", () => {
    for (const [made, seen] of [
      [esm, cjs],
      [cjs, esm],
    ] as const) {
      const error = new made.EphError("LeaseLost", "partition 3 is held by host-b", { partitionId: "3" });
      expect(seen.isEphError(error)).toBe(true);
      expect(seen.isEphError(error, "LeaseLost")).toBe(true);
      expect(seen.isEphError(error, "StoreNotFound")).toBe(false);
      expect(error instanceof seen.EphError).toBe(true);
      expect(error).toMatchObject({ name: "EphError", code: "LeaseLost", partitionId: "3" });
    }
  });

  it("still tell other errors apart", () => {
    for (const core of [esm, cjs]) {
      const lookalike = Object.assign(new Error("x"), { name: "EphError", code: "LeaseLost" });
      expect(core.isEphError(lookalike)).toBe(false);
      expect(lookalike instanceof core.EphError).toBe(false);
      expect(core.isEphError(undefined)).toBe(false);
      expect(core.isEphError("LeaseLost")).toBe(false);
    }
  });

  it("keep the ordinary prototype check for a subclass", () => {
    class StoreSpecificError extends esm.EphError {}
    expect(new StoreSpecificError("Closed", "closed") instanceof StoreSpecificError).toBe(true);
    expect(new StoreSpecificError("Closed", "closed") instanceof cjs.EphError).toBe(true);
    expect(new cjs.EphError("Closed", "closed") instanceof StoreSpecificError).toBe(false);
  });
});
