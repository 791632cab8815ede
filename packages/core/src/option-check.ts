import { EphError } from "./errors.js";
import { describeValue } from "./partition-id.js";
import type { RecordStore } from "./record-store.js";

/**
 * Checks a component's options bag once: an object (or `undefined`) with no names outside `known`,
 * so a misspelt option is refused instead of silently ignored. Returns the bag, `{}` for `undefined`.
 */
export function checkOptions<T extends object>(
  options: T | undefined,
  known: readonly (keyof T & string)[],
  component: string,
): T {
  if (options === undefined) return {} as T;
  if (typeof options !== "object" || options === null) {
    throw new EphError(
      "InvalidOption",
      `The options of ${component} must be an object, got ${describeValue(options)}.`,
    );
  }
  for (const name of Object.keys(options)) {
    if (!(known as readonly string[]).includes(name)) {
      throw new EphError("InvalidOption", `Unknown option "${name}" of ${component}; known: ${known.join(", ")}.`);
    }
  }
  return options;
}

/** Throws `InvalidOption` naming `option` unless `value` is `undefined` or a boolean. */
export function checkBoolean(value: unknown, option: string): boolean | undefined {
  if (value === undefined || typeof value === "boolean") return value;
  throw new EphError("InvalidOption", `${option} must be true or false, got ${describeValue(value)}.`);
}

/** Throws `InvalidOption` naming `option` unless `value` is `undefined` or a function. */
export function checkFunction<F extends (...args: never[]) => unknown>(
  value: F | undefined,
  option: string,
): F | undefined {
  if (value === undefined || typeof value === "function") return value;
  throw new EphError("InvalidOption", `${option} must be a function, got ${describeValue(value)}.`);
}

/** Throws `InvalidOption` naming `option` unless `value` is a positive safe integer. */
export function checkPositiveInteger(value: unknown, option: string): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 1) return value;
  throw new EphError("InvalidOption", `${option} must be a positive integer, got ${String(value)}.`);
}

/** Throws `InvalidOption` naming `option` unless `value` is `undefined` or one of `choices`. */
export function checkChoice<T extends string>(value: unknown, choices: readonly T[], option: string): T | undefined {
  if (value === undefined || (choices as readonly unknown[]).includes(value)) return value as T | undefined;
  const allowed = choices.map((c) => JSON.stringify(c)).join(" or ");
  throw new EphError("InvalidOption", `${option} must be ${allowed}, got ${JSON.stringify(value)}.`);
}

/**
 * Throws `InvalidOption` unless `value` has every one of `methods`: the check of a client an adapter
 * is handed (a `ContainerClient`, a `pg.Pool`, a {@link RecordStore}) before anything calls it. `what`
 * says what it must be (`containerClient must be a ContainerClient from @azure/storage-blob`); the
 * message adds the first method it lacks.
 */
export function checkClient<T>(value: unknown, methods: readonly string[], what: string): T {
  const missing = methods.find((m) => typeof (value as Record<string, unknown> | undefined)?.[m] !== "function");
  if (missing !== undefined) throw new EphError("InvalidOption", `${what} (it has no ${missing} method).`);
  return value as T;
}
