import type { BenchEnvironment } from "./bench-environment.js";
import { Fleet } from "./fleet.js";
import { prepareSide, type SideName, type WorkloadSettings } from "./sides.js";

/** One drain of the backlog by one process. */
export interface ThroughputRun {
  readonly side: SideName;
  readonly round: number;
  readonly events: number;
  /** From start (subscribe / startNonBlocking) to the last expected event handled; undefined if it timed out. */
  readonly seconds: number | undefined;
  readonly eventsPerSecond: number | undefined;
  /** From start to the first event handled (s): the start-up cost. */
  readonly firstEventSeconds: number | undefined;
  /** Rate between 10 % and 90 % of the backlog handled: start-up and the tail left out. */
  readonly steadyEventsPerSecond: number | undefined;
  /** CPU time of the consuming process per event (µs). */
  readonly cpuMicrosPerEvent: number | undefined;
  /** CPU time per event (µs) between 10 % and 90 % of the backlog: the per-event cost without start-up. */
  readonly steadyCpuMicrosPerEvent: number | undefined;
  /** Share of the run its event loop was busy. */
  readonly eventLoopUtilization: number | undefined;
}

/** The hub and consumer groups a throughput run needs, declared when the emulator starts. */
export function throughputConsumerGroups(sides: readonly SideName[], rounds: number): string[] {
  return sides.flatMap((side) => Array.from({ length: rounds }, (_, r) => `tp-${side}-${r}`));
}

/**
 * Throughput: one process drains a backlog of `perPartition` events in each partition of `hub` from the
 * start, checkpointing as each side does by default (eph: automatic; official: after every batch; raw:
 * never). Runs one process at a time, sides interleaved per round, so they share the machine alike.
 */
export async function runThroughput(
  env: BenchEnvironment,
  settings: WorkloadSettings,
  options: {
    hub: string;
    partitions: number;
    perPartition: number;
    sides: readonly SideName[];
    rounds: number;
    timeoutMs: number;
  },
  progress: (line: string) => void,
): Promise<ThroughputRun[]> {
  const events = options.partitions * options.perPartition;
  const runs: ThroughputRun[] = [];
  for (let round = 0; round < options.rounds; round++) {
    for (const side of options.sides) {
      const config = await prepareSide(env, side, settings, { hub: options.hub, consumerGroup: `tp-${side}-${round}` });
      const fleet = new Fleet(env.dir, () => undefined);
      const member = await fleet.spawn(config(`tp-${side}-${round}`, { record: "count", expectedEvents: events }));
      const startedAt = await member.go();
      let seconds: number | undefined;
      let cpuMicrosPerEvent: number | undefined;
      let steadyCpuMicrosPerEvent: number | undefined;
      let eventLoopUtilization: number | undefined;
      let steadyEventsPerSecond: number | undefined;
      let firstEventSeconds: number | undefined;
      let marks = "";
      try {
        const done = await member.next("done", options.timeoutMs);
        seconds = (done.at - startedAt) / 1000;
        firstEventSeconds = (done.firstAt - startedAt) / 1000;
        marks = `, 10 % at ${((done.at10 - startedAt) / 1000).toFixed(2)} s, 90 % at ${((done.at90 - startedAt) / 1000).toFixed(2)} s`;
        cpuMicrosPerEvent = (done.cpuMs * 1000) / done.count;
        steadyCpuMicrosPerEvent = done.at90 > done.at10 ? (done.steadyCpuMs * 1000) / (0.8 * events) : undefined;
        eventLoopUtilization = done.eventLoopUtilization;
        steadyEventsPerSecond = done.at90 > done.at10 ? (0.8 * events * 1000) / (done.at90 - done.at10) : undefined;
      } catch {
        seconds = undefined;
      }
      await fleet.shutdown();
      const run: ThroughputRun = {
        side,
        round,
        events,
        seconds,
        eventsPerSecond: seconds === undefined ? undefined : events / seconds,
        firstEventSeconds,
        steadyEventsPerSecond,
        cpuMicrosPerEvent,
        steadyCpuMicrosPerEvent,
        eventLoopUtilization,
      };
      runs.push(run);
      progress(
        `throughput ${side} round ${round + 1}: ${seconds === undefined ? "timed out" : `${Math.round(events / seconds)} events/s (${seconds.toFixed(2)} s, first event after ${firstEventSeconds?.toFixed(2)} s${marks}; steady ${Math.round(steadyEventsPerSecond ?? 0)} events/s), ${cpuMicrosPerEvent?.toFixed(0)} µs CPU per event (steady ${steadyCpuMicrosPerEvent?.toFixed(0)}), event loop ${Math.round((eventLoopUtilization ?? 0) * 100)} % busy`}`,
      );
    }
  }
  return runs;
}
