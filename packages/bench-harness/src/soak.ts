import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Checkpointer } from "@eph/core";
import { seededRandom } from "@eph/core/testing";
import { startBenchEnvironment } from "./bench-environment.js";
import { createCheckpointReader, DEFAULT_STORE_KIND } from "./eph-stores.js";
import { type Duplicate, EventLedger } from "./event-ledger.js";
import { Fleet, type Member } from "./fleet.js";
import { OwnershipBook } from "./ownership-book.js";
import { prepareSide, type WorkloadSettings } from "./sides.js";
import {
  type ChaosAction,
  type ChaosKind,
  type CheckpointWrite,
  explainDuplicate,
  type FenceOverlap,
  findAcceptedFencedWrites,
  findFenceOverlaps,
  findRegressions,
  type MemoryTrend,
  memoryTrend,
  type Opening,
} from "./soak-checks.js";
import type { EphStoreConfig, LeaseTiming } from "./worker-config.js";

/** Options of {@link runSoak}. */
export interface SoakOptions {
  /** How long the chaos lasts (ms); settling and the final checks come after. */
  readonly durationMs: number;
  /** Seed of the chaos schedule (which fault, when, on whom). Default: from the clock, printed. */
  readonly seed?: number;
  readonly partitions?: number;
  /** Hosts kept running (killed and closed ones are replaced). Default 4. */
  readonly hosts?: number;
  /** Hosts never killed or closed, whose memory must stay flat. Default 2. */
  readonly anchors?: number;
  /** Events per second the producer sends throughout. Default 100. */
  readonly ratePerSecond?: number;
  /** Lease timing of the hosts. Default lease 6 s, interval 1 s, call deadline 1 s. */
  readonly timing?: LeaseTiming;
  /** eph's stores. Default blob. */
  readonly storeKind?: EphStoreConfig["kind"];
  /** Progress lines. Default: none. */
  readonly print?: (line: string) => void;
}

/** One verdict of the soak. */
export interface SoakCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** What a soak did and found. */
export interface SoakReport {
  readonly seed: number;
  readonly durationMs: number;
  readonly partitions: number;
  readonly hosts: number;
  readonly storeKind: EphStoreConfig["kind"];
  readonly actions: readonly ChaosAction[];
  readonly actionCounts: Record<string, number>;
  readonly sent: number;
  readonly stored: number;
  readonly producerFailures: number;
  readonly handled: number;
  readonly missing: number;
  readonly duplicates: {
    readonly total: number;
    readonly byCause: Record<string, number>;
    readonly unexplained: readonly Duplicate[];
  };
  readonly overlaps: {
    readonly total: number;
    readonly byCause: Record<string, number>;
    readonly unexplained: readonly FenceOverlap[];
  };
  readonly acceptedFencedWrites: readonly CheckpointWrite[];
  readonly checkpointWrites: { readonly ok: number; readonly refused: Record<string, number> };
  readonly regressions: number;
  readonly balancedAtEnd: boolean;
  /** From the end of the chaos until every partition was read by one live host, balanced (ms). */
  readonly settleMs: number | undefined;
  readonly memory: readonly MemoryTrend[];
  readonly errors: Record<string, number>;
  readonly checks: readonly SoakCheck[];
  readonly ok: boolean;
  /** Delivery logs and worker output. */
  readonly dir: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const WEIGHTS: readonly [ChaosKind, number][] = [
  ["kill", 3],
  ["pause", 2],
  ["close", 2],
  ["steal", 3],
  ["drop", 2],
  ["hub-busy", 1],
  ["storage-errors", 2],
  ["storage-latency", 2],
  ["storage-resets", 1],
  ["storage-outage", 1],
];

/**
 * Runs eph hosts as separate processes against the emulator and Azurite (behind a fault proxy) while a
 * producer sends numbered events and a seeded chaos schedule kills (SIGKILL), pauses (SIGSTOP longer
 * than the lease), closes and replaces hosts, steals receiver links, drops connections, makes the hub
 * busy and makes storage fail, slow or unreachable. Then lets the group settle, drains, and checks:
 * every event handled; no partition handled by two owners at once after the fence; no checkpoint
 * accepted from a fenced owner and none regressed; every partition owned; each duplicate explained by
 * a crash, pause or storage fault; long-lived hosts' memory flat.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const print = options.print ?? (() => undefined);
  const seed = options.seed ?? Date.now() % 1_000_000;
  const random = seededRandom(seed);
  const partitions = options.partitions ?? 16;
  const hostCount = options.hosts ?? 4;
  const anchorCount = Math.min(options.anchors ?? 2, hostCount);
  const timing = options.timing ?? { leaseDuration: 6000, interval: 1000, operationTimeout: 1000 };
  const storeKind = options.storeKind ?? DEFAULT_STORE_KIND;
  const settings: WorkloadSettings = { timing, maxBatchSize: 100, maxWaitTimeInSeconds: 1, storeKind };
  const pids = Array.from({ length: partitions }, (_, i) => String(i));
  const hub = "soak";
  print(
    `soak: seed ${seed}, ${options.durationMs / 1000} s of chaos, ${hostCount} hosts (${anchorCount} never killed), ${partitions} partitions, ${options.ratePerSecond ?? 100} events/s, lease ${timing.leaseDuration} ms, interval ${timing.interval} ms, ${storeKind} stores`,
  );

  const env = await startBenchEnvironment({ [hub]: { partitions } });
  env.counter.slowThresholdMs = timing.operationTimeout ?? timing.interval / 4;
  const book = new OwnershipBook();
  const ledger = new EventLedger(true);
  const openings = new Map<string, Opening[]>();
  const writes: CheckpointWrite[] = [];
  const errors: Record<string, number> = {};
  const actions: ChaosAction[] = [];
  const fleet = new Fleet(env.dir, (m, r) => {
    if (r.k === "O") {
      book.opened(m.name, r.p, r.epoch, r.t);
      const list = openings.get(r.p) ?? [];
      openings.set(r.p, list);
      list.push({ member: m.name, epoch: r.epoch, t: r.t });
    } else if (r.k === "C") book.closed(m.name, r.p, r.t);
    else if (r.k === "E") ledger.add(r.p, r.seq, { member: m.name, epoch: r.epoch, t: r.t });
    else if (r.k === "K")
      writes.push({
        member: m.name,
        partitionId: r.p,
        sequenceNumber: r.seq,
        epoch: r.epoch,
        t0: r.t0,
        t: r.t,
        result: r.result,
      });
    else if (r.k === "X") errors[r.op] = (errors[r.op] ?? 0) + 1;
  });

  const config = await prepareSide(env, "eph", settings, { hub, consumerGroup: "$Default", faultable: true });
  const ephStores = config("probe").eph!;
  const reader: Checkpointer = await createCheckpointReader(
    storeKind,
    env.directConnectionString,
    ephStores.checkpointContainer,
  );
  const fqns = /Endpoint=sb:\/\/([^/;]+)/i.exec(env.hubConnectionString(hub))?.[1]?.toLowerCase() ?? "";
  reader.setEventProcessorHost({
    hostName: "soak-reader",
    fullyQualifiedNamespace: fqns,
    eventHubName: hub,
    consumerGroup: "$Default",
  });
  const stored = new Map<string, { t: number; sequenceNumber: number }[]>();

  let counter = 0;
  const anchors = new Set<string>();
  const spawnHost = async (anchor: boolean): Promise<Member> => {
    const name = `host-${++counter}`;
    if (anchor) anchors.add(name);
    const member = await fleet.spawn(config(name));
    await member.go();
    return member;
  };

  let polling = true;
  const poller = (async () => {
    let tick = 0;
    while (polling) {
      fleet.poll();
      if (tick++ % 2 === 0) {
        await Promise.all(
          pids.map(async (p) => {
            try {
              const cp = await reader.getCheckpoint(p);
              if (!cp) return;
              const list = stored.get(p) ?? [];
              stored.set(p, list);
              list.push({ t: Date.now(), sequenceNumber: cp.sequenceNumber });
            } catch {
              // The reader goes straight to Azurite; a failed read is only a missed sample.
            }
          }),
        );
      }
      await sleep(500);
    }
  })();

  const lasting: Promise<void>[] = [];
  let storageBusyUntil = 0;
  let paused: Member | undefined;
  let chaosStart = 0;
  let chaosEnd = 0;
  let settleMs: number | undefined;
  let balancedAtEnd = false;
  let sent = 0;
  let producerFailures = 0;
  let last: number[] = [];
  try {
    for (let i = 0; i < hostCount; i++) await spawnHost(i < anchorCount);
    await env.producer.call("startStream", { hub, partitions, ratePerSecond: options.ratePerSecond ?? 100 });
    chaosStart = Date.now();
    chaosEnd = chaosStart + options.durationMs;
    const total = WEIGHTS.reduce((a, [, w]) => a + w, 0);
    const pick = (): ChaosKind => {
      let x = random() * total;
      for (const [k, w] of WEIGHTS) {
        x -= w;
        if (x < 0) return k;
      }
      return "steal";
    };
    const between = (lo: number, hi: number) => Math.round(lo + random() * (hi - lo));
    const replaceLater = (delay: number) => {
      lasting.push(
        (async () => {
          await sleep(delay);
          const m = await spawnHost(false);
          actions.push({ t: Date.now(), kind: "spawn", member: m.name });
        })(),
      );
    };
    const storageWindow = (kind: ChaosKind, ms: number, apply: () => string) => {
      const t = Date.now();
      storageBusyUntil = t + ms;
      const detail = apply();
      actions.push({ t, kind, until: t + ms, detail });
      lasting.push(
        (async () => {
          await sleep(ms);
          env.faults.clear();
        })(),
      );
    };

    while (Date.now() + 2000 < chaosEnd) {
      await sleep(between(1500, 4000));
      const kind = pick();
      const now = Date.now();
      const running = fleet.live().filter((m) => m.status === "running");
      const churners = running.filter((m) => !anchors.has(m.name));
      switch (kind) {
        case "kill":
        case "close": {
          const victim = churners[Math.floor(random() * churners.length)];
          if (!victim) break;
          if (kind === "kill") {
            const t = victim.kill();
            book.gone(victim.name, t);
            actions.push({ t, kind, member: victim.name });
          } else {
            actions.push({ t: now, kind, member: victim.name });
            lasting.push(victim.close().then(() => undefined));
          }
          replaceLater(between(1000, 3000));
          break;
        }
        case "pause": {
          if (paused || running.length < 2) break;
          const victim = running[Math.floor(random() * running.length)]!;
          const ms = timing.leaseDuration + between(1000, 3000);
          victim.pause();
          paused = victim;
          actions.push({ t: now, kind, member: victim.name, until: now + ms });
          lasting.push(
            (async () => {
              await sleep(ms);
              victim.resume();
              paused = undefined;
            })(),
          );
          break;
        }
        case "steal": {
          const p = String(Math.floor(random() * partitions));
          const n = await env.emulator.call<number>("steal", { hub, partitionId: p });
          actions.push({ t: now, kind, partitionId: p, detail: `${n} links` });
          break;
        }
        case "drop": {
          const n = await env.emulator.call<number>("drop");
          actions.push({ t: now, kind, detail: `${n} connections` });
          break;
        }
        case "hub-busy": {
          const n = between(5, 30);
          await env.emulator.call("busy", { count: n });
          actions.push({ t: now, kind, detail: `${n} requests` });
          break;
        }
        case "storage-errors":
          if (now < storageBusyUntil) break;
          storageWindow(kind, between(2000, 5000), () => {
            env.faults.errorRate = 0.2 + random() * 0.5;
            return `${Math.round(env.faults.errorRate * 100)} % 503`;
          });
          break;
        case "storage-latency":
          if (now < storageBusyUntil) break;
          storageWindow(kind, between(2000, 6000), () => {
            env.faults.latencyMs = between(200, 1500);
            return `+${env.faults.latencyMs} ms`;
          });
          break;
        case "storage-resets":
          if (now < storageBusyUntil) break;
          storageWindow(kind, between(2000, 4000), () => {
            env.faults.resetRate = 0.2 + random() * 0.3;
            return `${Math.round(env.faults.resetRate * 100)} % resets`;
          });
          break;
        case "storage-outage":
          if (now < storageBusyUntil) break;
          storageWindow(kind, timing.leaseDuration + between(500, 2000), () => {
            env.faults.errorRate = 1;
            return "every call 503";
          });
          break;
        case "spawn":
          break;
      }
      const a = actions[actions.length - 1];
      if (a && a.t === now)
        print(
          `  ${((now - chaosStart) / 1000).toFixed(1)} s: ${a.kind} ${a.member ?? a.partitionId ?? ""} ${a.detail ?? ""}`,
        );
    }
    await Promise.allSettled(lasting);
    env.faults.clear();
    await env.emulator.call("clear");
    for (const m of fleet.live()) m.resume();
    while (fleet.live().length < hostCount) {
      const m = await spawnHost(false);
      actions.push({ t: Date.now(), kind: "spawn", member: m.name });
    }
    chaosEnd = Date.now();
    print(`chaos over after ${((chaosEnd - chaosStart) / 1000).toFixed(0)} s (${actions.length} actions); settling`);

    // Settle: every partition read by exactly one live host, balanced, unchanged for a lease period.
    const settleCap = chaosEnd + 90_000;
    const stableMs = timing.leaseDuration + timing.interval;
    while (Date.now() < settleCap) {
      await sleep(250);
      fleet.poll();
      if (
        book.isBalanced(
          fleet.live().map((m) => m.name),
          pids,
        ) &&
        Date.now() - book.lastChangeAt >= stableMs
      ) {
        balancedAtEnd = true;
        settleMs = Math.max(0, book.lastChangeAt - chaosEnd);
        break;
      }
    }
    if (balancedAtEnd) print(`settled ${(settleMs! / 1000).toFixed(1)} s after the chaos`);
    else {
      const live = fleet.live().map((m) => `${m.name}: ${book.partitionsOf(m.name).length}`);
      const odd = pids
        .filter((p) => book.readersOf(p).length !== 1)
        .map((p) => `${p}: [${book.readersOf(p).join(", ")}]`);
      print(
        `did NOT settle within 90 s; live ${live.join(", ")}; partitions without exactly one reader ${odd.join("; ")}`,
      );
    }

    const stream = await env.producer.call<{ acked: number[]; failures: number }>("stopStream", { hub });
    sent = stream.acked.reduce((a, b) => a + b, 0);
    producerFailures = stream.failures;
    last = await env.emulator.call<number[]>("lastSequenceNumbers", { hub, partitions });
    const drainCap = Date.now() + 60_000;
    while (Date.now() < drainCap) {
      fleet.poll();
      if (pids.every((p, i) => ledger.missing(p, last[i]!).length === 0)) break;
      await sleep(250);
    }
  } finally {
    polling = false;
    await poller;
    await fleet.shutdown();
    await reader.close().catch(() => undefined);
    await env.close();
  }

  // Faults nobody injected but the hosts suffered: a store slower than their call deadline, a host
  // whose event loop stalled that long (an overloaded machine). Both are named as causes.
  const deadline = env.counter.slowThresholdMs;
  const observed: ChaosAction[] = [];
  for (const s of env.counter.slow) {
    const prev = observed[observed.length - 1];
    if (prev && prev.kind === "storage-slow" && s.t - s.ms <= (prev.until ?? prev.t) + 1000) {
      observed[observed.length - 1] = { ...prev, until: Math.max(prev.until ?? prev.t, s.t) };
    } else {
      observed.push({ t: s.t - s.ms, kind: "storage-slow", until: s.t, detail: `calls over ${deadline} ms` });
    }
  }
  for (const m of fleet.members.values()) {
    for (const d of m.loopDelays) {
      if (d.ms <= deadline) continue;
      // A SIGSTOP shows up as a long event-loop delay too: that one is already named as a pause.
      const paused = actions.some(
        (a) => a.kind === "pause" && a.member === m.name && a.t <= d.at && (a.until ?? a.t) >= d.at - d.ms - 1000,
      );
      if (paused) continue;
      observed.push({
        t: d.at - d.ms,
        kind: "host-stall",
        member: m.name,
        until: d.at,
        detail: `${Math.round(d.ms)} ms`,
      });
    }
  }
  actions.push(...observed);
  actions.sort((a, b) => a.t - b.t);
  writeFileSync(join(env.dir, "actions.json"), `${JSON.stringify(actions, null, 1)}\n`);

  // Verdicts.
  const missing = pids.reduce((n, p, i) => n + ledger.missing(p, last[i] ?? -1).length, 0);
  const storedEvents = last.reduce((a, b) => a + b + 1, 0);
  const byCause: Record<string, number> = {};
  const unexplained: Duplicate[] = [];
  for (const d of ledger.duplicates) {
    const cause = explainDuplicate(d, actions, timing.leaseDuration);
    if (cause === undefined) unexplained.push(d);
    else {
      const key = cause.replace(/ of .*/, "");
      byCause[key] = (byCause[key] ?? 0) + 1;
    }
  }
  const overlaps = findFenceOverlaps(openings, ledger.byPartition, actions, timing.leaseDuration);
  const overlapCauses: Record<string, number> = {};
  for (const o of overlaps)
    if (o.cause) overlapCauses[o.cause.replace(/ of .*/, "")] = (overlapCauses[o.cause.replace(/ of .*/, "")] ?? 0) + 1;
  const unexplainedOverlaps = overlaps.filter((o) => o.cause === undefined);
  const fenced = findAcceptedFencedWrites(openings, writes);
  const regressions = findRegressions(stored);
  const refused: Record<string, number> = {};
  for (const w of writes) if (w.result !== "ok") refused[w.result] = (refused[w.result] ?? 0) + 1;
  const memory = [...fleet.members.values()]
    .filter((m) => anchors.has(m.name))
    .map((m) => memoryTrend(m.name, m.memory, chaosStart, chaosEnd));
  const actionCounts: Record<string, number> = {};
  for (const a of actions) actionCounts[a.kind] = (actionCounts[a.kind] ?? 0) + 1;

  const checks: SoakCheck[] = [
    {
      name: "every sent event handled at least once",
      ok: missing === 0 && sent <= storedEvents,
      detail: `${sent} acknowledged, ${storedEvents} stored, ${missing} never handled`,
    },
    {
      name: "no partition handled by two hosts at once after the fence",
      ok: unexplainedOverlaps.length === 0 && fenced.length === 0,
      detail: `${overlaps.length} events handled by an older owner after a newer one started (${JSON.stringify(overlapCauses)}, ${unexplainedOverlaps.length} unexplained); ${fenced.length} checkpoints accepted from a fenced owner`,
    },
    {
      name: "checkpoints never regressed",
      ok: regressions.length === 0,
      detail: `${[...stored.values()].reduce((a, l) => a + l.length, 0)} reads of the store, ${regressions.length} moved backwards; ${writes.filter((w) => w.result === "ok").length} writes accepted, refused ${JSON.stringify(refused)}`,
    },
    {
      name: "every partition owned at the end",
      ok: balancedAtEnd,
      detail: balancedAtEnd
        ? `each of ${partitions} partitions read by one of ${hostCount} live hosts, balanced, ${(settleMs! / 1000).toFixed(1)} s after the chaos`
        : "not balanced 90 s after the chaos",
    },
    {
      name: "every duplicate explained by a crash, pause or storage fault",
      ok: unexplained.length === 0,
      detail: `${ledger.duplicates.length} duplicate handlings (${JSON.stringify(byCause)}), ${unexplained.length} unexplained`,
    },
    {
      name: "memory of long-lived hosts flat",
      ok: memory.length > 0 && memory.every((m) => m.flat),
      detail: memory
        .map(
          (m) =>
            `${m.member}: heap ${m.heapStartMiB} -> ${m.heapEndMiB} MiB, RSS ${m.rssStartMiB} -> ${m.rssEndMiB} MiB`,
        )
        .join("; "),
    },
  ];
  const report: SoakReport = {
    seed,
    durationMs: chaosEnd - chaosStart,
    partitions,
    hosts: hostCount,
    storeKind,
    actions,
    actionCounts,
    sent,
    stored: storedEvents,
    producerFailures,
    handled: ledger.handled,
    missing,
    duplicates: { total: ledger.duplicates.length, byCause, unexplained },
    overlaps: { total: overlaps.length, byCause: overlapCauses, unexplained: unexplainedOverlaps },
    acceptedFencedWrites: fenced,
    checkpointWrites: { ok: writes.filter((w) => w.result === "ok").length, refused },
    regressions: regressions.length,
    balancedAtEnd,
    settleMs,
    memory,
    errors,
    checks,
    ok: checks.every((c) => c.ok),
    dir: env.dir,
  };
  writeFileSync(join(env.dir, "report.json"), `${JSON.stringify(report, null, 1)}\n`);
  return report;
}

/** The report as printable lines: one per check, then one JSON line. */
export function soakSummary(report: SoakReport): string[] {
  const lines = [
    `soak seed ${report.seed}: ${(report.durationMs / 1000).toFixed(0)} s of chaos, ${JSON.stringify(report.actionCounts)}`,
    `events: ${report.sent} sent, ${report.handled} handlings, ${report.duplicates.total} duplicates, ${report.missing} never handled; producer send failures ${report.producerFailures}`,
    ...report.checks.map((c) => `${c.ok ? "PASS" : "FAIL"}  ${c.name}: ${c.detail}`),
  ];
  for (const d of report.duplicates.unexplained.slice(0, 10)) {
    lines.push(
      `  unexplained duplicate p${d.partitionId}#${d.sequenceNumber}: ${d.previous.member}@${d.previous.epoch} at ${d.previous.t}, again ${d.again.member}@${d.again.epoch} at ${d.again.t}`,
    );
  }
  for (const o of report.overlaps.unexplained.slice(0, 10)) {
    lines.push(
      `  unexplained overlap p${o.partitionId}#${o.sequenceNumber}: ${o.handling.member}@${o.handling.epoch} at ${o.handling.t} after ${o.newer.member}@${o.newer.epoch} opened at ${o.newer.t}`,
    );
  }
  lines.push(
    JSON.stringify({
      bench: "soak",
      date: new Date().toISOString(),
      seed: report.seed,
      durationMs: report.durationMs,
      partitions: report.partitions,
      hosts: report.hosts,
      store: report.storeKind,
      actions: report.actionCounts,
      sent: report.sent,
      handled: report.handled,
      duplicates: report.duplicates.total,
      duplicatesByCause: report.duplicates.byCause,
      unexplainedDuplicates: report.duplicates.unexplained.length,
      overlaps: report.overlaps.total,
      unexplainedOverlaps: report.overlaps.unexplained.length,
      acceptedFencedWrites: report.acceptedFencedWrites.length,
      checkpointWrites: report.checkpointWrites,
      regressions: report.regressions,
      missing: report.missing,
      settleMs: report.settleMs,
      memory: report.memory,
      errors: report.errors,
      ok: report.ok,
    }),
  );
  return lines;
}
