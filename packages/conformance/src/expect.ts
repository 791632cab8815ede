import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";

/** Own enumerable data of a value, recursively, without `undefined` properties or class prototypes. */
function normalize(value: unknown): unknown {
  if (value instanceof Date || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(normalize);
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, normalize(v)]),
  );
}

function matches(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => matches(actual[i], e))
    );
  }
  if (typeof expected === "object" && expected !== null && !(expected instanceof Date)) {
    if (typeof actual !== "object" || actual === null) return false;
    const record = actual as Record<string, unknown>;
    return Object.entries(expected).every(([k, e]) => matches(record[k], e));
  }
  return isDeepStrictEqual(normalize(actual), normalize(expected));
}

/** The few matchers the suites use, on `node:assert`, so the suites need no particular test runner. */
export interface Expectation {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toMatchObject(expected: object): void;
  toContain(item: unknown): void;
  toHaveLength(length: number): void;
  toBeUndefined(): void;
  toBeGreaterThan(bound: number): void;
  toBeInstanceOf(type: abstract new (...args: never[]) => unknown): void;
  readonly not: { toBe(expected: unknown): void };
}

/** A vitest-like `expect(value, message)` whose failures are `node:assert` errors. */
export function expect(actual: unknown, message?: string): Expectation {
  const show = (what: string) => (message === undefined ? what : `${message}: ${what}`);
  return {
    toBe: (expected) =>
      assert.ok(Object.is(actual, expected), show(`expected ${String(expected)}, got ${String(actual)}`)),
    toEqual: (expected) => assert.deepStrictEqual(normalize(actual), normalize(expected), message),
    toMatchObject: (expected) =>
      assert.ok(
        matches(actual, expected),
        show(`${JSON.stringify(normalize(actual))} does not match ${JSON.stringify(expected)}`),
      ),
    toContain: (item) => {
      const ok =
        typeof actual === "string" ? actual.includes(String(item)) : Array.isArray(actual) && actual.includes(item);
      assert.ok(ok, show(`${JSON.stringify(actual)} does not contain ${JSON.stringify(item)}`));
    },
    toHaveLength: (length) => assert.equal((actual as { length?: unknown } | undefined)?.length, length, message),
    toBeUndefined: () => assert.equal(actual, undefined, message),
    toBeGreaterThan: (bound) =>
      assert.ok(typeof actual === "number" && actual > bound, show(`${String(actual)} is not above ${bound}`)),
    toBeInstanceOf: (type) => assert.ok(actual instanceof type, show(`not an instance of ${type.name}`)),
    not: {
      toBe: (expected) => assert.ok(!Object.is(actual, expected), show(`expected anything but ${String(expected)}`)),
    },
  };
}
