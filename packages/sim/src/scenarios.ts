import { Balancer, type HostInfo, type LeaseUpkeep } from "@eph/core";
import { ManualClock, seededRandom } from "@eph/core/testing";
import { type CallCounter, FaultyLeaser } from "./faulty-leaser.js";
import { HostClock } from "./host-clock.js";
import type { SimStores } from "./simulation.js";

/** Parameters of a membership-change measurement. */
export interface MembershipOptions {
  /** Store factory. */
  stores: () => SimStores;
  /** Partitions of the hub. */
  partitions: number;
  /** Hosts after the join (the run starts with one fewer). */
  hosts: number;
  /** Lease timing (ms); defaults are the seed's 60 s / 10 s / 10 s. */
  leaseDuration?: number;
  renewalInterval?: number;
  scanInterval?: number;
  /** Seed of the hosts' random sources. */
  seed?: number;
  /** Virtual time of the steady-state window (ms); default one hour. Calls are scaled to an hour. */
  steadyWindow?: number;
  /** Clock offsets of the hosts, ms (default none): proves expiry never compares clocks. */
  skews?: readonly number[];
  /** How the hosts keep their leases alive. Default: the balancer's default. */
  leaseUpkeep?: LeaseUpkeep;
}

/** Time (in scan intervals) and ownership moves one membership change took to settle. */
export interface ChangeFigures {
  /** Scan intervals from the change until every partition was owned by a live host with spread <= 1. */
  readonly intervals: number;
  /** Lease acquisitions from the change until settled. */
  readonly moves: number;
  /** Largest number of times one partition changed owner for this change. */
  readonly maxMovesPerPartition: number;
}

/** Figures of a full membership run: start, join, crash, graceful leave, steady state. */
export interface MembershipFigures {
  readonly partitions: number;
  readonly hosts: number;
  readonly start: ChangeFigures;
  readonly join: ChangeFigures;
  readonly crash: ChangeFigures;
  readonly leave: ChangeFigures;
  /** Ownership changes during the steady-state hour (should be 0). */
  readonly steadyMoves: number;
  /** Lease-store calls per partition per hour at steady state. */
  readonly callsPerPartitionHour: number;
}

const INFO: Omit<HostInfo, "hostName"> = {
  fullyQualifiedNamespace: "bench.servicebus.windows.net",
  eventHubName: "hub",
  consumerGroup: "$Default",
};

/**
 * Drives real balancers over the given stores in virtual time through: start of H-1 hosts, a join,
 * a crash (SIGKILL: nothing released), a graceful leave, and a steady hour; measures each change.
 */
export async function measureMembership(options: MembershipOptions): Promise<MembershipFigures> {
  const leaseDuration = options.leaseDuration ?? 60_000;
  const renewalInterval = options.renewalInterval ?? 10_000;
  const scanInterval = options.scanInterval ?? 10_000;
  const random = seededRandom(options.seed ?? 1);
  const world = new ManualClock();
  const stores = options.stores();
  const ids = Array.from({ length: options.partitions }, (_, i) => String(i));
  const counter: CallCounter = { calls: 0 };
  const moves = new Map<string, number>();
  let acquisitions = 0;
  const hosts: Array<{ name: string; clock: HostClock; balancer: Balancer; gone: boolean }> = [];
  const noFaults = { errorRate: 0, maxLatency: 0 };

  const start = (i: number) => {
    const name = `host-${String(i).padStart(3, "0")}`;
    const clock = new HostClock(world, options.skews?.[i] ?? 0, 1);
    const leaser = new FaultyLeaser(stores.leaser(), clock, noFaults, random, counter);
    leaser.setEventProcessorHost({ ...INFO, hostName: name });
    const balancer = new Balancer({
      leaser,
      hostName: name,
      partitionIds: () => ids,
      leaseDuration,
      renewalInterval,
      scanInterval,
      ...(options.leaseUpkeep ? { leaseUpkeep: options.leaseUpkeep } : {}),
      clock,
      random: seededRandom(Math.floor(random() * 2 ** 31)),
      onAcquired: ({ partitionId }) => {
        acquisitions++;
        moves.set(partitionId, (moves.get(partitionId) ?? 0) + 1);
      },
    });
    hosts.push({ name, clock, balancer, gone: false });
    balancer.start();
  };
  const balanced = () => {
    const live = hosts.filter((h) => h.clock.state === "up" && !h.gone);
    const counts = live.map((h) => h.balancer.ownedPartitions().length);
    const owners = new Map<string, number>();
    for (const h of live)
      for (const p of h.balancer.ownedPartitions()) owners.set(p.partitionId, (owners.get(p.partitionId) ?? 0) + 1);
    return (
      owners.size === ids.length &&
      [...owners.values()].every((n) => n === 1) &&
      Math.max(...counts) - Math.min(...counts) <= 1
    );
  };
  const measure = async (limit: number): Promise<ChangeFigures> => {
    const t0 = world.now();
    const a0 = acquisitions;
    moves.clear();
    const step = Math.max(1, scanInterval / 100);
    while (!balanced() && world.now() - t0 < limit) await world.advance(step);
    // Settled means it stays settled: watch two more intervals for late moves.
    const settledAt = world.now();
    await world.advance(2 * scanInterval);
    return {
      intervals: (settledAt - t0) / scanInterval,
      moves: acquisitions - a0,
      maxMovesPerPartition: Math.max(0, ...moves.values()),
    };
  };

  const limit = leaseDuration + 20 * scanInterval;
  for (let i = 0; i < options.hosts - 1; i++) start(i);
  const startFigures = await measure(limit);
  start(options.hosts - 1);
  const join = await measure(limit);
  const victim = hosts[0]!;
  victim.clock.crash();
  const crash = await measure(limit);
  const leaver = hosts.find((h) => h.clock.state === "up" && h !== hosts[hosts.length - 1]) ?? hosts[hosts.length - 1]!;
  const stopping = leaver.balancer.stop();
  leaver.gone = true; // no longer counted as live; its release is under way
  const leave = await measure(limit);
  await stopping;
  const c0 = counter.calls;
  const a0 = acquisitions;
  const hour = 3_600_000;
  const window = options.steadyWindow ?? hour;
  await world.advance(window);
  for (const h of hosts) h.clock.crash();
  return {
    partitions: options.partitions,
    hosts: options.hosts,
    start: startFigures,
    join,
    crash,
    leave,
    steadyMoves: acquisitions - a0,
    callsPerPartitionHour: ((counter.calls - c0) / options.partitions) * (hour / window),
  };
}
