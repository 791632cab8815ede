import type { BenchEnvironment } from "./bench-environment.js";
import { Fleet } from "./fleet.js";
import { prepareSide, type SideName, type WorkloadSettings } from "./sides.js";

/** One process started from nothing until it handled its first event. */
export interface FirstEventRun {
  readonly side: SideName;
  readonly round: number;
  /** From the parent's fork to the first event handled (ms); undefined if none came in time. */
  readonly spawnToFirstMs: number | undefined;
  /**
   * Milestones, in ms after the fork: the process began running, its modules were imported, its
   * clients (eph: the host) were created, eph's first lease was acquired, eph's `startNonBlocking`
   * resolved, the first partition was opened, the first event was handled.
   */
  readonly phases:
    | {
        readonly process: number;
        readonly loaded: number;
        readonly created: number;
        readonly acquired: number | undefined;
        readonly started: number | undefined;
        readonly opened: number | undefined;
        readonly first: number;
      }
    | undefined;
}

/** The consumer groups the spawn-to-first-event runs read with, declared when the emulator starts. */
export function firstEventConsumerGroups(sides: readonly SideName[], rounds: number): string[] {
  return sides.flatMap((side) => Array.from({ length: rounds }, (_, r) => `fe-${side}-${r}`));
}

/**
 * Time to the first event: a process is forked and, without waiting for anything, imports its modules,
 * creates its clients and starts reading a hub whose partitions hold a few events each, with fresh
 * stores (nothing to resume from). Measured from the fork to the first event handled, one process at a
 * time, sides interleaved per round.
 */
export async function runFirstEvent(
  env: BenchEnvironment,
  settings: WorkloadSettings,
  options: { hub: string; sides: readonly SideName[]; rounds: number; timeoutMs: number },
  progress: (line: string) => void,
): Promise<FirstEventRun[]> {
  const runs: FirstEventRun[] = [];
  for (let round = 0; round < options.rounds; round++) {
    for (const side of options.sides) {
      const consumerGroup = `fe-${side}-${round}`;
      const config = await prepareSide(env, side, settings, { hub: options.hub, consumerGroup });
      const fleet = new Fleet(env.dir, () => undefined);
      const member = await fleet.spawn(
        config(consumerGroup, { record: "count", expectedEvents: 1, startOnSpawn: true }),
      );
      let run: FirstEventRun = { side, round, spawnToFirstMs: undefined, phases: undefined };
      try {
        const done = member.done ?? (await member.next("done", options.timeoutMs));
        const since = (t: number | undefined) => (t === undefined || t === 0 ? undefined : t - member.spawnedAt);
        const m = done.marks;
        run = {
          side,
          round,
          spawnToFirstMs: done.firstAt - member.spawnedAt,
          phases: m && {
            process: m.processStart - member.spawnedAt,
            loaded: m.loaded - member.spawnedAt,
            created: m.created - member.spawnedAt,
            acquired: since(m.acquired),
            started: since(m.started),
            opened: since(m.opened),
            first: done.firstAt - member.spawnedAt,
          },
        };
      } catch {
        // Reported as undefined: no event within the timeout.
      }
      await fleet.shutdown();
      runs.push(run);
      const p = run.phases;
      progress(
        `first event ${side} round ${round + 1}: ${run.spawnToFirstMs === undefined ? "none in time" : `${run.spawnToFirstMs} ms after spawn`}${p ? ` (process ${p.process}, loaded ${p.loaded}, created ${p.created}${p.acquired === undefined ? "" : `, first lease ${p.acquired}`}${p.started === undefined ? "" : `, started ${p.started}`}, opened ${p.opened ?? "-"} ms)` : ""}`,
      );
    }
  }
  return runs;
}
