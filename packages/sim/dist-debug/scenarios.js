import { Balancer } from "@eph/core";
import { ManualClock, seededRandom } from "@eph/core/testing";
import { FaultyLeaser } from "./faulty-leaser.js";
import { HostClock } from "./host-clock.js";
const INFO = {
    fullyQualifiedNamespace: "bench.servicebus.windows.net",
    eventHubName: "hub",
    consumerGroup: "$Default",
};
/**
 * Drives real balancers over the given stores in virtual time through: start of H-1 hosts, a join,
 * a crash (SIGKILL: nothing released), a graceful leave, and a steady hour; measures each change.
 */
export async function measureMembership(options) {
    const leaseDuration = options.leaseDuration ?? 60_000;
    const renewalInterval = options.renewalInterval ?? 10_000;
    const scanInterval = options.scanInterval ?? 10_000;
    const random = seededRandom(options.seed ?? 1);
    const world = new ManualClock();
    const stores = options.stores();
    const ids = Array.from({ length: options.partitions }, (_, i) => String(i));
    const counter = { calls: 0 };
    const moves = new Map();
    let acquisitions = 0;
    const hosts = [];
    const noFaults = { errorRate: 0, maxLatency: 0 };
    const start = (i) => {
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
        const owners = new Map();
        for (const h of live)
            for (const p of h.balancer.ownedPartitions())
                owners.set(p.partitionId, (owners.get(p.partitionId) ?? 0) + 1);
        return (owners.size === ids.length &&
            [...owners.values()].every((n) => n === 1) &&
            Math.max(...counts) - Math.min(...counts) <= 1);
    };
    const measure = async (limit) => {
        const t0 = world.now();
        const a0 = acquisitions;
        moves.clear();
        const step = Math.max(1, scanInterval / 100);
        while (!balanced() && world.now() - t0 < limit)
            await world.advance(step);
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
    for (let i = 0; i < options.hosts - 1; i++)
        start(i);
    const startFigures = await measure(limit);
    start(options.hosts - 1);
    const join = await measure(limit);
    const victim = hosts[0];
    victim.clock.crash();
    const crash = await measure(limit);
    const leaver = hosts.find((h) => h.clock.state === "up" && h !== hosts[hosts.length - 1]) ?? hosts[hosts.length - 1];
    const stopping = leaver.balancer.stop();
    leaver.gone = true; // no longer counted as live; its release is under way
    const leave = await measure(limit);
    await stopping;
    const c0 = counter.calls;
    const a0 = acquisitions;
    const hour = 3_600_000;
    const window = options.steadyWindow ?? hour;
    await world.advance(window);
    for (const h of hosts)
        h.clock.crash();
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
//# sourceMappingURL=scenarios.js.map