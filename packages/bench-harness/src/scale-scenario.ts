import type { Checkpointer, HostInfo, Leaser } from "@eph/core";
import type { BenchEnvironment } from "./bench-environment.js";
import { createCheckpointReader, createLeaseReader } from "./eph-stores.js";
import { EventLedger } from "./event-ledger.js";
import { Fleet, type Member } from "./fleet.js";
import { prepareSide, type WorkloadSettings } from "./sides.js";

/** One run of {@link runScale}: a fleet of `hosts` processes reading every partition of a large hub. */
export interface ScaleRun {
  /** `eph`, or `raw` (one `EventHubConsumerClient` subscribed to every partition, no store: the attach bound). */
  readonly side: "eph" | "raw";
  readonly hosts: number;
  readonly partitions: number;
  /** From the first start until every partition had handled an event; undefined if not within the cap. */
  readonly allReadMs: number | undefined;
  /** From the first start until every partition had been opened (eph `onPartitionOpened`). */
  readonly allOpenedMs: number | undefined;
  /** Errors the hosts reported from start to the steady window, by `<operation>/<code>`. */
  readonly startupErrors: Readonly<Record<string, number>>;
  /** Partitions closed as lost (lease expired) or stolen before the close. */
  readonly lostOrStolen: number;
  /** Per host, over the steady window: storage calls per second (leases, checkpoints), CPU cores, RSS. */
  readonly steady: {
    readonly leaseCallsPerSecond: number;
    readonly checkpointCallsPerSecond: number;
    readonly cpuCores: number;
    readonly rssMiB: number;
  };
  /** Every host closed at once after the producer stopped and the backlog was read. */
  readonly close: {
    /** Longest `close()` of the fleet. */
    readonly ms: number;
    /** Partitions whose stored checkpoint is below the last event handled (a final checkpoint missing). */
    readonly checkpointsBehind: number;
    /** Leases still naming an owner after every host closed. */
    readonly leasesLeftOwned: number;
    /** Those leases' partitions by owner. */
    readonly leftOwnedBy: Readonly<Record<string, readonly string[]>>;
    /** Errors the hosts reported from the close request on, by `<operation>/<code>`. */
    readonly errors: Readonly<Record<string, number>>;
  };
  /** Events sent and never handled. */
  readonly lost: number;
}

/** Options of {@link runScale}. */
export interface ScaleOptions {
  /** The hub read; it must declare the consumer groups of {@link scaleConsumerGroups}. */
  readonly hub: string;
  readonly partitions: number;
  /** Fleet sizes, one run each (fresh stores and consumer group per run). */
  readonly hostCounts: readonly number[];
  /** Time between two processes' starts (ms). */
  readonly staggerMs: number;
  readonly ratePerSecond: number;
  /** Longest wait for every partition to be read (ms). */
  readonly capMs: number;
  /** Quiet time after every partition was read, before the steady window (ms). */
  readonly settleMs: number;
  /** Length of the steady-state window (ms). */
  readonly steadyMs: number;
  /** Also run the raw client alone first, the bound that receiver attach puts on "all read". */
  readonly rawReference: boolean;
}

/** The consumer groups {@link runScale} reads with: one per run, so no run resumes another's positions. */
export function scaleConsumerGroups(hostCounts: readonly number[]): string[] {
  return ["scale-raw", ...hostCounts.map((n) => `scale-${n}`)];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function subtract(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(a)) if (v - (b[k] ?? 0) > 0) out[k] = v - (b[k] ?? 0);
  return out;
}

function sum(records: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/**
 * Many partitions (issue 12 §6): for each fleet size, the hosts start `staggerMs` apart on fresh stores
 * while a producer sends to every partition; measured: time until every partition was read, the errors
 * of the start-up burst, partitions lost or stolen, storage calls, CPU and RSS per host at steady
 * state; then the producer stops, the backlog is read, every host closes at once and the stores are
 * read back: final checkpoints missing and leases left owned.
 */
export async function runScale(
  env: BenchEnvironment,
  settings: WorkloadSettings,
  options: ScaleOptions,
  progress: (line: string) => void,
): Promise<ScaleRun[]> {
  const runs: ScaleRun[] = [];
  const pids = Array.from({ length: options.partitions }, (_, i) => String(i));
  const plan: { side: ScaleRun["side"]; hosts: number }[] = [
    ...(options.rawReference ? [{ side: "raw" as const, hosts: 1 }] : []),
    ...options.hostCounts.map((hosts) => ({ side: "eph" as const, hosts })),
  ];
  for (const { side, hosts } of plan) {
    const consumerGroup = side === "raw" ? "scale-raw" : `scale-${hosts}`;
    const ledger = new EventLedger();
    const opened = new Map<string, number>();
    let lostOrStolen = 0;
    let closing = false;
    const firstRead = new Map<string, number>();
    const lastHandled = new Map<string, number>();
    const fleet = new Fleet(env.dir, (m, r) => {
      if (r.k === "E") {
        ledger.add(r.p, r.seq, { member: m.name, epoch: r.epoch, t: r.t });
        if (!firstRead.has(r.p)) firstRead.set(r.p, r.t);
        lastHandled.set(r.p, Math.max(r.seq, lastHandled.get(r.p) ?? -1));
      } else if (r.k === "O") {
        if (!opened.has(r.p)) opened.set(r.p, r.t);
      } else if (r.k === "C" && !closing && (r.reason === "lost" || r.reason === "stolen")) {
        lostOrStolen++;
      }
    });
    const config = await prepareSide(env, side, settings, { hub: options.hub, consumerGroup });
    await env.producer.call("startStream", {
      hub: options.hub,
      partitions: options.partitions,
      ratePerSecond: options.ratePerSecond,
    });
    const members: Member[] = [];
    let run: ScaleRun | undefined;
    let lost = 0;
    try {
      for (let i = 0; i < hosts; i++) members.push(await fleet.spawn(config(`${side}-s${hosts}-${i + 1}`)));
      const base = Date.now();
      const starts = await Promise.all(
        members.map(async (m, i) => {
          await sleep(Math.max(0, base + i * options.staggerMs - Date.now()));
          return m.go();
        }),
      );
      const first = Math.min(...starts);
      let allReadAt: number | undefined;
      while (Date.now() - first < options.capMs) {
        await sleep(200);
        fleet.poll();
        if (firstRead.size === pids.length) {
          allReadAt = Math.max(...firstRead.values());
          break;
        }
      }
      await sleep(options.settleMs);
      const startupErrors = sum(members.map((m) => m.health?.errorsByKind ?? {}));
      const before = { at: Date.now(), counts: env.counter.snapshot(), cpu: members.map((m) => m.health?.cpuMs ?? 0) };
      await sleep(options.steadyMs);
      const after = { at: Date.now(), counts: env.counter.snapshot(), cpu: members.map((m) => m.health?.cpuMs ?? 0) };
      const seconds = (after.at - before.at) / 1000;
      const calls = (role: string) => {
        let n = 0;
        for (const [k, v] of Object.entries(after.counts))
          if (k.startsWith(`${role}.`)) n += v - (before.counts[k] ?? 0);
        return n / seconds / hosts;
      };
      const cpuCores = after.cpu.reduce((s, c, i) => s + c - (before.cpu[i] ?? 0), 0) / (after.at - before.at) / hosts;
      const rssMiB = members.reduce((s, m) => s + (m.health?.rss ?? 0), 0) / hosts / 2 ** 20;
      const openedAll = opened.size === pids.length ? Math.max(...opened.values()) : undefined;

      // Close: the producer stops, the backlog is read, then every host closes at once.
      await env.producer.call("stopStream", { hub: options.hub });
      const lastSeq = await env.emulator.call<number[]>("lastSequenceNumbers", {
        hub: options.hub,
        partitions: options.partitions,
      });
      const missing = () => pids.reduce((n, p, i) => n + ledger.missing(p, lastSeq[i]!).length, 0);
      const drainBy = Date.now() + 30_000;
      while (Date.now() < drainBy) {
        fleet.poll();
        lost = missing();
        if (lost === 0) break;
        await sleep(200);
      }
      const errorsBeforeClose = sum(members.map((m) => m.health?.errorsByKind ?? {}));
      closing = true;
      const closes = await Promise.all(members.map((m) => m.close()));
      fleet.poll();
      lost = missing();
      const closeMs = Math.max(...closes.map((c) => (c.closedAt ?? Date.now()) - c.requestedAt));
      const stored = side === "eph" ? await readBack(env, settings, members[0]!, config("observer"), pids) : undefined;
      run = {
        side,
        hosts,
        partitions: pids.length,
        allReadMs: allReadAt === undefined ? undefined : allReadAt - first,
        allOpenedMs: openedAll === undefined ? undefined : openedAll - first,
        startupErrors,
        lostOrStolen,
        steady: {
          leaseCallsPerSecond: calls("lease"),
          checkpointCallsPerSecond: calls("checkpoint"),
          cpuCores,
          rssMiB,
        },
        close: {
          ms: closeMs,
          checkpointsBehind: stored
            ? pids.filter((p) => (stored.checkpoints.get(p) ?? -1) < (lastHandled.get(p) ?? -1)).length
            : 0,
          leasesLeftOwned: Object.values(stored?.leftOwnedBy ?? {}).reduce((n, l) => n + l.length, 0),
          leftOwnedBy: stored?.leftOwnedBy ?? {},
          errors: subtract(sum(members.map((m) => m.closedErrors ?? {})), errorsBeforeClose),
        },
        lost,
      };
    } finally {
      await env.producer.call("stopStream", { hub: options.hub }).catch(() => undefined);
      await fleet.shutdown();
    }
    runs.push(run);
    const errors = Object.values(run.startupErrors).reduce((a, b) => a + b, 0);
    progress(
      `scale ${side} ${hosts} host(s) x ${pids.length} partitions: all read ${run.allReadMs === undefined ? "NOT within the cap" : `${(run.allReadMs / 1000).toFixed(1)} s`}, ` +
        `${errors} start-up errors, ${run.lostOrStolen} lost/stolen, ${run.steady.leaseCallsPerSecond.toFixed(0)} lease calls/s/host, ` +
        `${run.steady.cpuCores.toFixed(2)} cores/host, close ${(run.close.ms / 1000).toFixed(1)} s: ${run.close.checkpointsBehind} checkpoints behind, ${run.close.leasesLeftOwned} leases left owned`,
    );
  }
  return runs;
}

/** Reads the stores back after a close: each partition's stored position and how many leases still name an owner. */
async function readBack(
  env: BenchEnvironment,
  settings: WorkloadSettings,
  member: Member,
  observer: { eph?: { leaseContainer: string; checkpointContainer: string } },
  pids: readonly string[],
): Promise<{ checkpoints: Map<string, number>; leftOwnedBy: Record<string, string[]> }> {
  const scope = member.scope;
  const stores = observer.eph;
  if (!scope || !stores) throw new Error("an eph worker reports its scope and stores");
  const info: HostInfo = { hostName: "bench-observer", ...scope };
  const checkpointer: Checkpointer = await createCheckpointReader(
    settings.storeKind,
    env.directConnectionString,
    stores.checkpointContainer,
  );
  const leaser: Leaser = await createLeaseReader(settings.storeKind, env.directConnectionString, stores.leaseContainer);
  checkpointer.setEventProcessorHost(info);
  leaser.setEventProcessorHost(info);
  try {
    const checkpoints = new Map<string, number>();
    for (const p of pids) {
      const c = await checkpointer.getCheckpoint(p);
      if (c) checkpoints.set(p, c.sequenceNumber);
    }
    const leftOwnedBy: Record<string, string[]> = {};
    for (const l of await leaser.getLeases()) {
      if (l.owner !== "") leftOwnedBy[l.owner] = [...(leftOwnedBy[l.owner] ?? []), l.partitionId];
    }
    return { checkpoints, leftOwnedBy };
  } finally {
    await Promise.allSettled([checkpointer.close(), leaser.close()]);
  }
}
