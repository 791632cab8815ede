import { HubEmulatorError } from "./errors.js";

/**
 * How much of each partition is kept. Whichever limit is reached first expires the oldest events, and the
 * partition's `beginningSequenceNumber` moves forward, as retention does in Azure.
 */
export interface RetentionOptions {
  /** Events kept per partition. Default 1,000,000. */
  maxEventsPerPartition?: number;
  /** Bytes of stored events kept per partition. Default 64 MiB. */
  maxBytesPerPartition?: number;
  /** Age after which events expire, in milliseconds (judged with the emulator's clock). Default 24 hours. */
  maxAgeMs?: number;
}

/** One Event Hub of the emulated namespace. */
export interface HubOptions {
  /** Number of partitions, ids "0".."n-1". */
  partitions: number;
  /** Consumer groups besides `$Default`, which always exists. */
  consumerGroups?: string[];
  /** Overrides the emulator-wide retention for this hub. */
  retention?: RetentionOptions;
}

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** Interface to listen on. Default "127.0.0.1" (loopback only). */
  host?: string;
  /** TCP port; 0 picks a free one (read it back from `emu.port`). Default 0. */
  port?: number;
  /** Hubs by name: a partition count, or full options. */
  hubs: Record<string, number | HubOptions>;
  /** Retention for every hub that does not set its own. */
  retention?: RetentionOptions;
  /** Largest publish (a whole batch) accepted, in bytes. Default 1 MiB, as in Azure's Standard tier. */
  maxMessageSize?: number;
  /**
   * Directory where events are kept across restarts (durable mode). A restarted emulator pointed at the same
   * directory serves the same events, sequence numbers and offsets. Without it everything is in memory.
   */
  dataDir?: string;
  /** Milliseconds since the epoch; stamps enqueued times and judges age retention. Default `Date.now`. */
  clock?: () => number;
}

/** Retention with every limit filled in. */
export interface ResolvedRetention {
  maxEventsPerPartition: number;
  maxBytesPerPartition: number;
  maxAgeMs: number;
}

/** A hub's options with defaults applied. */
export interface ResolvedHub {
  name: string;
  partitions: number;
  consumerGroups: string[];
  retention: ResolvedRetention;
}

/** Default retention limits. */
export const DEFAULT_RETENTION: ResolvedRetention = {
  maxEventsPerPartition: 1_000_000,
  maxBytesPerPartition: 64 * 1024 * 1024,
  maxAgeMs: 24 * 60 * 60 * 1000,
};

/** Default largest publish, as Azure Event Hubs Standard. */
export const DEFAULT_MAX_MESSAGE_SIZE = 1024 * 1024;

/** The consumer group every hub has. */
export const DEFAULT_CONSUMER_GROUP = "$Default";

const HUB_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/;
const CONSUMER_GROUP_NAME = /^[A-Za-z0-9$][A-Za-z0-9._$-]{0,49}$/;

function positiveInteger(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new HubEmulatorError("InvalidOptions", `${what} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** Validates a partition count (1..1024). */
export function validPartitionCount(value: unknown, what: string): number {
  const n = positiveInteger(value, what);
  if (n > 1024) throw new HubEmulatorError("InvalidOptions", `${what} must be at most 1024, got ${n}`);
  return n;
}

/** Fills in retention defaults and rejects nonsense limits. */
export function resolveRetention(base: ResolvedRetention, given: RetentionOptions | undefined, what: string) {
  return {
    maxEventsPerPartition:
      given?.maxEventsPerPartition === undefined
        ? base.maxEventsPerPartition
        : positiveInteger(given.maxEventsPerPartition, `${what}.maxEventsPerPartition`),
    maxBytesPerPartition:
      given?.maxBytesPerPartition === undefined
        ? base.maxBytesPerPartition
        : positiveInteger(given.maxBytesPerPartition, `${what}.maxBytesPerPartition`),
    maxAgeMs: given?.maxAgeMs === undefined ? base.maxAgeMs : positiveInteger(given.maxAgeMs, `${what}.maxAgeMs`),
  };
}

/** Validates a hub name the way Event Hubs names are restricted (letters, digits, `.`, `_`, `-`). */
export function validHubName(name: string): string {
  if (!HUB_NAME.test(name)) {
    throw new HubEmulatorError(
      "InvalidOptions",
      `hub name ${JSON.stringify(name)} is invalid: use letters, digits, '.', '_' or '-' (1-256 characters)`,
    );
  }
  return name;
}

/** Validates a consumer group name. */
export function validConsumerGroupName(name: unknown, hub: string): string {
  if (typeof name !== "string" || !CONSUMER_GROUP_NAME.test(name)) {
    throw new HubEmulatorError(
      "InvalidOptions",
      `consumer group ${JSON.stringify(name)} of hub "${hub}" is invalid: use letters, digits, '.', '_', '-' or '$'`,
    );
  }
  return name;
}

/** Applies defaults to every hub. */
export function resolveHubs(options: EmulatorOptions): ResolvedHub[] {
  if (options === null || typeof options !== "object" || options.hubs === null || typeof options.hubs !== "object") {
    throw new HubEmulatorError("InvalidOptions", "options.hubs is required, e.g. { hubs: { hub: 4 } }");
  }
  const base = resolveRetention(DEFAULT_RETENTION, options.retention, "options.retention");
  const seen = new Set<string>();
  const hubs: ResolvedHub[] = [];
  for (const [name, spec] of Object.entries(options.hubs)) {
    validHubName(name);
    if (seen.has(name.toLowerCase())) {
      throw new HubEmulatorError("InvalidOptions", `hub "${name}" is given twice (hub names ignore case)`);
    }
    seen.add(name.toLowerCase());
    const full: HubOptions = typeof spec === "number" ? { partitions: spec } : spec;
    if (full === null || typeof full !== "object") {
      throw new HubEmulatorError("InvalidOptions", `options.hubs["${name}"] must be a partition count or an object`);
    }
    const partitions = validPartitionCount(full.partitions, `options.hubs["${name}"].partitions`);
    const groups = [DEFAULT_CONSUMER_GROUP];
    for (const group of full.consumerGroups ?? []) {
      validConsumerGroupName(group, name);
      if (!groups.some((g) => g.toLowerCase() === group.toLowerCase())) groups.push(group);
    }
    hubs.push({
      name,
      partitions,
      consumerGroups: groups,
      retention: resolveRetention(base, full.retention, `options.hubs["${name}"].retention`),
    });
  }
  if (hubs.length === 0) throw new HubEmulatorError("InvalidOptions", "options.hubs must name at least one hub");
  return hubs;
}
