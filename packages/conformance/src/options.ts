/** Tuning of a conformance run, for stores slower than the defaults assume. */
export interface ConformanceOptions {
  /** Per-test timeout in milliseconds (default: vitest's own, 5 s). */
  timeout?: number;
  /** How many instances race in the concurrency tests (default 8, at least 2). */
  concurrency?: number;
}

/** The options with defaults filled in. */
export interface ResolvedConformanceOptions {
  readonly timeout: number | undefined;
  readonly concurrency: number;
}

/** Fills in defaults and rejects values that would make the suite meaningless. */
export function resolveOptions(options: ConformanceOptions = {}): ResolvedConformanceOptions {
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 2) {
    throw new RangeError(`ConformanceOptions.concurrency must be an integer of at least 2, got ${concurrency}`);
  }
  if (options.timeout !== undefined && !(options.timeout > 0)) {
    throw new RangeError(`ConformanceOptions.timeout must be positive, got ${options.timeout}`);
  }
  return { timeout: options.timeout, concurrency };
}
