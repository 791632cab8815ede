import { describe, it } from "vitest";
import type { TestFunctions } from "./test-functions.js";

/** vitest's `describe` and `it`, with the per-test timeout of a run. */
export function vitestFunctions(timeout: number | undefined): TestFunctions {
  return { describe, it: (name, body) => it(name, body, timeout) };
}
