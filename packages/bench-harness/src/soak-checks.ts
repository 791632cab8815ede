import type { Duplicate, Handling } from "./event-ledger.js";
import type { HealthSample } from "./fleet.js";

/** What the soak's chaos did. */
export type ChaosKind =
  | "kill"
  | "pause"
  | "close"
  | "spawn"
  | "steal"
  | "drop"
  | "hub-busy"
  | "storage-errors"
  | "storage-latency"
  | "storage-resets"
  | "storage-outage"
  /** Not injected: the store answered slower than the hosts' call deadline (seen at the proxy). */
  | "storage-slow"
  /** Not injected: a host's event loop stalled longer than its call deadline (machine overload). */
  | "host-stall";

/** One chaos action, with the host or partition it hit and, for lasting faults, when it ended. */
export interface ChaosAction {
  readonly t: number;
  readonly kind: ChaosKind;
  readonly member?: string;
  readonly partitionId?: string;
  /** End of a lasting fault (pause, storage window). */
  readonly until?: number;
  readonly detail?: string;
}

/** When a member started reading a partition, with its lease epoch. */
export interface Opening {
  readonly member: string;
  readonly epoch: number;
  readonly t: number;
}

/** An event handled by an owner after a newer owner had fenced the partition and started reading. */
export interface FenceOverlap {
  readonly partitionId: string;
  readonly sequenceNumber: number;
  readonly handling: Handling;
  /** The newer owner that was already reading. */
  readonly newer: Opening;
  /** Why it happened, when a chaos action explains it (a paused host resuming). */
  readonly cause: string | undefined;
}

/** A checkpoint write as a host logged it. */
export interface CheckpointWrite {
  readonly member: string;
  readonly partitionId: string;
  readonly sequenceNumber: number;
  readonly epoch: number;
  readonly t0: number;
  readonly t: number;
  readonly result: string;
}

/** Faults that can legitimately make an event be handled twice: the holder could not record its position. */
const STORAGE_FAULTS: ReadonlySet<ChaosKind> = new Set([
  "storage-errors",
  "storage-latency",
  "storage-resets",
  "storage-outage",
  "storage-slow",
]);

/**
 * Names the chaos action that explains a duplicate, or `undefined`. A duplicate is explained when, between
 * the earlier handling (minus one lease period: the position may have been pending that long) and the
 * repeat, either handler was killed, paused or stalled (the earlier one could not record its position;
 * or the later one, a deposed owner resuming, handled an event it had received before the pause), or
 * storage failed or was slower than the call deadline (so a checkpoint could not be written, or the
 * lease renewed, before the partition moved). A graceful close, a stolen link or a dropped connection
 * explains nothing: eph must hand over or reconnect without repeating events.
 */
export function explainDuplicate(
  d: Duplicate,
  actions: readonly ChaosAction[],
  leaseDuration: number,
): string | undefined {
  const from = d.previous.t - leaseDuration;
  const to = d.again.t;
  const handlers = new Set([d.previous.member, d.again.member]);
  for (const a of actions) {
    const end = a.until ?? a.t;
    if (end < from || a.t > to) continue;
    if ((a.kind === "kill" || a.kind === "pause" || a.kind === "host-stall") && a.member && handlers.has(a.member)) {
      return `${a.kind} of ${a.member}`;
    }
    if (STORAGE_FAULTS.has(a.kind)) return a.kind;
  }
  return undefined;
}

/**
 * Events handled by an owner with a lower epoch after a newer owner had started reading the partition
 * (its `open` comes after it raised the checkpoint fence): two hosts handling one partition at once.
 * A host resuming from SIGSTOP may still run the handler on events it had already received before it
 * notices its lease is gone: such overlaps name the pause as cause; any other is unexplained.
 */
export function findFenceOverlaps(
  openings: ReadonlyMap<string, readonly Opening[]>,
  handlings: ReadonlyMap<string, readonly { seq: number; h: Handling }[]>,
  actions: readonly ChaosAction[],
  leaseDuration: number,
): FenceOverlap[] {
  const out: FenceOverlap[] = [];
  for (const [partitionId, list] of handlings) {
    const opens = [...(openings.get(partitionId) ?? [])].sort((a, b) => a.t - b.t);
    if (opens.length === 0) continue;
    for (const { seq, h } of list) {
      let newer: Opening | undefined;
      for (const o of opens) {
        if (o.t >= h.t) break;
        if (o.epoch > h.epoch && (!newer || o.epoch > newer.epoch)) newer = o;
      }
      if (!newer) continue;
      const pause = actions.find(
        (a) => a.kind === "pause" && a.member === h.member && a.t <= h.t && (a.until ?? a.t) + leaseDuration >= h.t,
      );
      out.push({
        partitionId,
        sequenceNumber: seq,
        handling: h,
        newer,
        cause: pause ? `pause of ${h.member}` : undefined,
      });
    }
  }
  return out;
}

/**
 * Checkpoint writes the store accepted although they were started after a newer owner had raised the
 * fence and begun reading: the fencing token failed.
 */
export function findAcceptedFencedWrites(
  openings: ReadonlyMap<string, readonly Opening[]>,
  writes: readonly CheckpointWrite[],
): CheckpointWrite[] {
  return writes.filter(
    (w) => w.result === "ok" && (openings.get(w.partitionId) ?? []).some((o) => o.epoch > w.epoch && o.t < w.t0),
  );
}

/** Stored checkpoints that moved backwards between two reads of the store. */
export function findRegressions(
  samples: ReadonlyMap<string, readonly { t: number; sequenceNumber: number }[]>,
): { partitionId: string; from: number; to: number; t: number }[] {
  const out: { partitionId: string; from: number; to: number; t: number }[] = [];
  for (const [partitionId, list] of samples) {
    let high = -1;
    for (const s of list) {
      if (s.sequenceNumber < high) out.push({ partitionId, from: high, to: s.sequenceNumber, t: s.t });
      high = Math.max(high, s.sequenceNumber);
    }
  }
  return out;
}

/** Memory of a long-lived host: median early on vs at the end, and whether it stayed flat. */
export interface MemoryTrend {
  readonly member: string;
  readonly samples: number;
  readonly rssStartMiB: number;
  readonly rssEndMiB: number;
  readonly heapStartMiB: number;
  readonly heapEndMiB: number;
  readonly flat: boolean;
}

const MiB = 1024 * 1024;
const medianOf = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)]!;
};

/**
 * Compares the median heap (after a forced GC) and RSS over the second fifth of `[from, to]` (after
 * warm-up) with the last fifth. Flat: the heap grew by at most 50 % + 10 MiB and RSS by at most
 * 50 % + 40 MiB. A leak that grows with events or time would exceed that over a long soak.
 */
export function memoryTrend(member: string, samples: readonly HealthSample[], from: number, to: number): MemoryTrend {
  const span = to - from;
  const early = samples.filter((s) => s.at >= from + span * 0.2 && s.at < from + span * 0.4);
  const late = samples.filter((s) => s.at >= from + span * 0.8 && s.at <= to);
  const heapStart = medianOf(early.map((s) => s.heapUsed)) / MiB;
  const heapEnd = medianOf(late.map((s) => s.heapUsed)) / MiB;
  const rssStart = medianOf(early.map((s) => s.rss)) / MiB;
  const rssEnd = medianOf(late.map((s) => s.rss)) / MiB;
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    member,
    samples: samples.length,
    rssStartMiB: round(rssStart),
    rssEndMiB: round(rssEnd),
    heapStartMiB: round(heapStart),
    heapEndMiB: round(heapEnd),
    flat: early.length > 0 && late.length > 0 && heapEnd <= heapStart * 1.5 + 10 && rssEnd <= rssStart * 1.5 + 40,
  };
}
