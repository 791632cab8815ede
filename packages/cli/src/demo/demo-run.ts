import { sleep } from "../abortable-sleep.js";
import type { ConnectionSettings } from "../connection-settings.js";
import { parseEventHubConnectionString } from "../connection-settings.js";
import { describeError } from "../error-classification.js";
import { openHubClient, readHubPartitions } from "../hub-partitions.js";
import type { OutputStream } from "../io.js";
import { LiveFrame } from "../live-frame.js";
import { type LocalStack, startLocalStack } from "../local-stack.js";
import { collectStatus, type StatusReport } from "../status.js";
import { openStores } from "../stores.js";
import { type DemoHost, DemoHosts } from "./demo-hosts.js";
import { DemoLedger } from "./demo-ledger.js";
import type { HostMessage } from "./demo-messages.js";
import { DemoProducer } from "./demo-producer.js";
import type { DemoConfig } from "./demo-scenario.js";
import { renderFrame, renderHosts, renderPartitions, steadyPhase } from "./demo-view.js";

/** One rebalance the demo caused and timed. */
export interface DemoRebalance {
  /** `start`, `crash` or `join`. */
  readonly name: "start" | "crash" | "join";
  /** What happened, in words. */
  readonly description: string;
  /**
   * Milliseconds from the cause (hosts started, host killed, host started) until every partition was
   * read by exactly one live host and the load was even; null if that did not happen in time.
   */
  readonly durationMs: number | null;
  /**
   * Of `durationMs`, the time new host processes took to start Node and load their modules (for
   * `start` and `join`; 0 for `crash`).
   */
  readonly processStartMs: number;
  /** Distinct partitions that a host started reading during it. */
  readonly partitionsOpened: number;
  /**
   * Receivers opened during it: more than `partitionsOpened` when a partition was opened, then moved
   * again (to another host) while the load evened out.
   */
  readonly receiversOpened: number;
  /** Events processed a second time during it and the steady period after it. */
  readonly duplicates: number;
}

/** What `eph demo` reports at the end (printed as JSON with `--json`). */
export interface DemoSummary {
  /** True when every event sent was processed. */
  readonly ok: boolean;
  readonly durationMs: number;
  readonly partitions: number;
  readonly timing: DemoConfig["timing"];
  readonly eventsSent: number;
  /** Distinct events processed. */
  readonly eventsProcessed: number;
  /** Handler calls, duplicates included. */
  readonly deliveries: number;
  readonly duplicates: number;
  /** Events sent but never processed. */
  readonly lost: number;
  /** Up to 20 lost events, to look into. */
  readonly lostEvents: readonly { partitionId: string; sequenceNumber: number }[];
  readonly rebalances: readonly DemoRebalance[];
  /** Hosts that exited without being asked to, with the end of their stderr. */
  readonly hostFailures: readonly { host: string; detail: string }[];
  /** Set when the demo was interrupted (Ctrl-C). */
  readonly interrupted: boolean;
}

/** Where the demo writes. */
export interface DemoOutput {
  /** The live view (redrawn on a terminal, plain lines otherwise). */
  readonly view: OutputStream;
  readonly signal: AbortSignal;
}

const hub = "demo";
const container = "eph-demo";

/** True when every partition is read by exactly one of `expected`, and each reads its fair share. */
function settled(ids: readonly string[], hosts: readonly DemoHost[], expected: readonly string[]): boolean {
  const readers = new Map<string, number>();
  for (const h of hosts) {
    for (const p of h.reading) {
      if (!expected.includes(h.name)) return false;
      readers.set(p, (readers.get(p) ?? 0) + 1);
    }
  }
  if (ids.some((id) => readers.get(id) !== 1)) return false;
  const floor = Math.floor(ids.length / expected.length);
  const ceil = Math.ceil(ids.length / expected.length);
  return expected.every((name) => {
    const n = hosts.find((h) => h.name === name)?.reading.size ?? 0;
    return n >= floor && n <= ceil;
  });
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Runs the demo: the Event Hubs emulator and Azurite in this process, a producer, three host processes
 * sharing the hub; kills one (SIGKILL), starts another, then stops everything and checks every event.
 */
export async function runDemo(config: DemoConfig, out: DemoOutput): Promise<DemoSummary> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const frame = new LiveFrame(out.view);
  const log: string[] = [];
  // A function while it changes by itself (the steady time after a rebalance counts up).
  let phase: string | (() => string) = "starting the Event Hubs emulator and Azurite";
  const phaseText = () => (typeof phase === "string" ? phase : phase());
  let status: StatusReport | undefined;
  const title = `eph demo: ${config.partitions} partitions; lease ${formatSeconds(config.timing.leaseDuration)}, renewal ${formatSeconds(config.timing.renewalInterval)}, scan ${formatSeconds(config.timing.scanInterval)}`;
  const note = (text: string) => {
    const line = `[${(elapsed() / 1000).toFixed(1).padStart(5)}s] ${text}`;
    log.push(line);
    if (!frame.redraws) out.view.write(`${line}\n`);
  };
  const snapshot = () => {
    if (!frame.redraws) out.view.write(`\n${renderPartitions(status, allHosts())}\n\n`);
  };
  if (!frame.redraws) out.view.write(`${title}\n`);

  const ids = Array.from({ length: config.partitions }, (_, i) => String(i));
  const ledger = new DemoLedger(ids);
  const failures: { host: string; detail: string }[] = [];
  const rebalances: DemoRebalance[] = [];
  /** The partition of every receiver opened, in order. */
  const opened: string[] = [];
  let stack: LocalStack | undefined;
  let producer: DemoProducer | undefined;
  const onMessage = (host: DemoHost, m: HostMessage) => {
    if (m.t === "event") ledger.recordProcessed(m.partitionId, m.sequenceNumber);
    else if (m.t === "opened") {
      opened.push(m.partitionId);
      note(`${host.name} reads partition ${m.partitionId} (epoch ${m.epoch})`);
    } else if (m.t === "closed") note(`${host.name} stopped reading partition ${m.partitionId} (${m.reason})`);
    else if (m.t === "ready") note(`${host.name} started`);
  };
  let hosts: DemoHosts | undefined;
  const allHosts = (): DemoHost[] => [...(hosts?.hosts.values() ?? [])];
  const onExit = (host: DemoHost, code: number | null, signal: NodeJS.Signals | null) => {
    if (host.state === "failed") {
      failures.push({ host: host.name, detail: `exit ${code ?? signal}: ${host.stderrTail.trim().slice(-500)}` });
      note(`${host.name} exited unexpectedly (${code ?? signal})`);
    }
  };

  let ticker: NodeJS.Timeout | undefined;
  let poller: Promise<void> | undefined;
  const stopPolling = new AbortController();
  let observer: { close(): Promise<void> } | undefined;
  let interrupted = false;

  const waitSettled = async (expected: readonly string[]): Promise<number | null> => {
    const from = performance.now();
    while (!settled(ids, allHosts(), expected)) {
      if (out.signal.aborted) return null;
      if (performance.now() - from > config.settleTimeoutMs) return null;
      await sleep(25, out.signal);
    }
    return performance.now() - from;
  };
  const phaseOf = async (
    name: DemoRebalance["name"],
    description: string,
    expected: () => readonly string[],
    hold: number,
    cause: () => void,
  ) => {
    const openedBefore = opened.length;
    const causedAt = performance.now();
    const known = new Set(allHosts().map((h) => h.name));
    const dupBefore = ledger.duplicates;
    phase = `${description}: waiting for every partition to be read by one live host`;
    cause();
    const took = await waitSettled(expected());
    if (out.signal.aborted) return;
    const openedNow = opened.slice(openedBefore);
    const booted = allHosts()
      .filter((h) => !known.has(h.name))
      .map((h) => h.bootedAt ?? causedAt);
    const processStartMs = booted.length === 0 ? 0 : Math.max(...booted) - causedAt;
    if (took === null) note(`${description}: not settled after ${formatSeconds(config.settleTimeoutMs)}`);
    else {
      note(
        `settled in ${formatSeconds(took)}: ${expected()
          .map((h) => `${h} ${hosts?.hosts.get(h)?.reading.size}`)
          .join(", ")}`,
      );
      snapshot();
    }
    if (took === null) phase = `${description}: not settled after ${formatSeconds(config.settleTimeoutMs)}`;
    else {
      const settledAt = elapsed();
      phase = () => steadyPhase(description, settledAt, took, elapsed());
    }
    await sleep(hold, out.signal);
    rebalances.push({
      name,
      description,
      durationMs: took === null ? null : Math.round(took),
      processStartMs: Math.round(processStartMs),
      partitionsOpened: new Set(openedNow).size,
      receiversOpened: openedNow.length,
      duplicates: ledger.duplicates - dupBefore,
    });
  };

  try {
    stack = await startLocalStack({ hubs: { [hub]: config.partitions } });
    const eventHubConnectionString = stack.eventHubConnectionString(hub);
    const storageConnectionString = stack.storageConnectionString;
    note(
      `Event Hubs emulator on ${stack.emulator.host}:${stack.emulator.port}, Azurite blob ${stack.azurite.blobEndpoint}`,
    );
    const parsed = parseEventHubConnectionString(eventHubConnectionString, undefined);
    const settings: ConnectionSettings = {
      hubAccess: { kind: "connection-string", connectionString: eventHubConnectionString },
      fullyQualifiedNamespace: parsed.fullyQualifiedNamespace,
      eventHubName: hub,
      consumerGroup: "$Default",
      storageAccess: { kind: "connection-string", connectionString: storageConnectionString },
      store: "blob",
      container,
      checkpointContainer: container,
      checkpointLayout: "eph",
      secrets: [],
    };
    const demoHosts = new DemoHosts(
      {
        eventHubConnectionString,
        storageConnectionString,
        container,
        ...config.timing,
        checkpointEveryMs: config.checkpointEveryMs,
      },
      onMessage,
      onExit,
    );
    hosts = demoHosts;
    const hubClient = openHubClient(settings, 10_000);
    const stores = openStores(settings, "eph-demo-observer", 30_000, undefined);
    observer = {
      async close() {
        await Promise.allSettled([hubClient.close(), stores.close()]);
      },
    };
    // The view reads the stores exactly as `eph status` does; missing container and the like are
    // normal until the first host has started.
    poller = (async () => {
      while (!stopPolling.signal.aborted) {
        try {
          status = await collectStatus(settings, { hub: hubClient, ...stores }, AbortSignal.timeout(5000));
        } catch {
          // Shown as "reading the stores" until a reading succeeds.
        }
        await sleep(400, stopPolling.signal);
      }
    })();
    if (frame.redraws) {
      ticker = setInterval(() => {
        frame.show(
          renderFrame({
            elapsedMs: elapsed(),
            title,
            phase: phaseText(),
            status,
            hosts: allHosts(),
            ledger,
            log,
            rows: out.view.rows,
          }),
        );
      }, 250);
    }
    producer = new DemoProducer(eventHubConnectionString, ids, config.eventsPerSecond, ledger);

    await phaseOf(
      "start",
      "3 hosts started",
      () => ["host-a", "host-b", "host-c"],
      config.holdMs.afterStart,
      () => {
        producer?.start();
        note(
          `producer sends ${config.eventsPerSecond} events/s; starting host-a, host-b, host-c as separate processes`,
        );
        for (const name of ["host-a", "host-b", "host-c"]) demoHosts.spawn(name);
      },
    );
    if (!out.signal.aborted) {
      const victim = demoHosts.hosts.get("host-b") as DemoHost;
      await phaseOf(
        "crash",
        "host-b killed",
        () => ["host-a", "host-c"],
        config.holdMs.afterCrash,
        () => {
          const held = [...victim.reading].sort((a, b) => Number(a) - Number(b));
          note(
            `killing host-b (SIGKILL) while it reads partitions ${held.join(", ") || "none"}; its leases stay until they expire`,
          );
          demoHosts.kill("host-b");
        },
      );
    }
    if (!out.signal.aborted) {
      await phaseOf(
        "join",
        "host-d joined",
        () => ["host-a", "host-c", "host-d"],
        config.holdMs.afterJoin,
        () => {
          note("starting host-d: it takes its share, each previous owner checkpoints and hands over");
          demoHosts.spawn("host-d");
        },
      );
    }
    await producer.stop();
    if (!out.signal.aborted) {
      phase = "producer stopped: waiting for the hosts to process every event";
      note(`producer stopped after ${ledger.sentCount} events`);
      // The hub is the judge of what was sent: reconcile in case an acknowledgement was lost.
      const props = await readHubPartitions(hubClient, settings, AbortSignal.timeout(10_000));
      for (const p of props) ledger.reconcileSent(p.partitionId, p.lastEnqueuedSequenceNumber + 1);
      const drainFrom = performance.now();
      while (ledger.missing().length > 0 && performance.now() - drainFrom < config.drainTimeoutMs) {
        if (out.signal.aborted) break;
        await sleep(100, out.signal);
      }
    }
    phase = "stopping the hosts (each checkpoints and releases its leases)";
    note("stopping the hosts cleanly");
    await demoHosts.stopAll(15_000);
    // One last reading, so the final view shows the leases released by the clean shutdown.
    stopPolling.abort();
    await poller;
    status = await collectStatus(settings, { hub: hubClient, ...stores }, AbortSignal.timeout(5000)).catch(
      () => status,
    );
    snapshot();
  } catch (error) {
    note(`demo failed: ${describeError(error, [])}`);
    throw error;
  } finally {
    interrupted = out.signal.aborted;
    if (ticker) clearInterval(ticker);
    stopPolling.abort();
    await poller;
    await producer?.stop().catch(() => undefined);
    await hosts?.stopAll(5000).catch(() => undefined);
    await observer?.close();
    await stack?.close();
    if (frame.redraws) {
      frame.show(
        renderFrame({
          elapsedMs: elapsed(),
          title,
          phase: interrupted ? "interrupted" : "done",
          status,
          hosts: allHosts(),
          ledger,
          log,
          rows: out.view.rows,
        }),
      );
    } else {
      out.view.write(`\n${renderHosts(allHosts())}\n`);
    }
  }
  const missing = ledger.missing();
  const lostEvents = missing.flatMap((m) =>
    m.sequenceNumbers.map((s) => ({ partitionId: m.partitionId, sequenceNumber: s })),
  );
  return {
    ok: !interrupted && lostEvents.length === 0 && ledger.sentCount > 0,
    durationMs: Math.round(elapsed()),
    partitions: config.partitions,
    timing: config.timing,
    eventsSent: ledger.sentCount,
    eventsProcessed: ledger.processedCount,
    deliveries: ledger.deliveryCount,
    duplicates: ledger.duplicates,
    lost: lostEvents.length,
    lostEvents: lostEvents.slice(0, 20),
    rebalances,
    hostFailures: failures,
    interrupted,
  };
}
