/** Tuning of a conformance run, for stores slower than the defaults assume. */
export interface ConformanceOptions {
  /** Per-test timeout in milliseconds, for the vitest entry points (default: vitest's own, 5 s). */
  timeout?: number;
  /** How many instances race in the concurrency tests (default 8, at least 2). */
  concurrency?: number;
  /** How many records the record-store suite lists in one scope (default 150, at least 1). */
  manyRecords?: number;
}

/** The options with defaults filled in. */
export interface ResolvedConformanceOptions {
  readonly timeout: number | undefined;
  readonly concurrency: number;
  readonly manyRecords: number;
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
  const manyRecords = options.manyRecords ?? 150;
  if (!Number.isInteger(manyRecords) || manyRecords < 1) {
    throw new RangeError(`ConformanceOptions.manyRecords must be a positive integer, got ${manyRecords}`);
  }
  return { timeout: options.timeout, concurrency, manyRecords };
}
