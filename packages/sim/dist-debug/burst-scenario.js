import { MemoryCheckpointer, MemoryCheckpointStore } from "@eph/checkpointer-memory";
import { Balancer, StoreCallQueue, } from "@eph/core";
import { ManualClock, seededRandom } from "@eph/core/testing";
import { MemoryLeaser, MemoryLeaseStore } from "@eph/leaser-memory";
import { HostClock } from "./host-clock.js";
import { throughputInterceptor } from "./store-throughput.js";
const INFO = {
    fullyQualifiedNamespace: "sim.servicebus.windows.net",
    eventHubName: "burst",
    consumerGroup: "$Default",
};
// The timing: renewal = scan = 2 s, lease 12 s, operation deadline 1 s.
const renewalInterval = 2000;
const leaseDuration = 12_000;
const operationTimeout = 1000;
/**
 * Hosts that start together with hundreds of partitions on a store of finite throughput, each host
 * doing what the real one does with its store: per partition it creates and acquires the lease, raises
 * the fence and reads the checkpoint (retrying like the host does), renews every 2 s, and at close
 * writes a final checkpoint and releases. All of a host's calls go through its store-call queue.
 *
 * Violations: a renewal that failed, a partition given up (expired), a steal with one host (there is
 * no one to steal from), a partition not owned by exactly one host 20 s after the start, a final
 * checkpoint not stored, a lease still owned after the close.
 */
export async function simulateBurst(options) {
    const random = seededRandom(options.seed);
    const partitions = options.partitions ?? 128 + Math.floor(random() * 385);
    const hostCount = options.hosts ?? 1 + Math.floor(random() * 4);
    // Steady state needs partitions / renewalInterval renewals per ms; the store serves 1.5-4 times that.
    const needPerMs = partitions / renewalInterval;
    const throughput = options.throughput ?? {
        baseLatency: 1 + random() * 4,
        perCallInFlight: 1 / (needPerMs * (1.5 + random() * 2.5)),
    };
    const runFor = options.runFor ?? 30_000;
    const world = new ManualClock();
    const stats = { inFlight: 0, peakInFlight: 0, peakLatency: 0, operations: 0 };
    const interceptor = throughputInterceptor(world, throughput, stats);
    const leaseStore = new MemoryLeaseStore();
    const checkpointStore = new MemoryCheckpointStore();
    const ids = Array.from({ length: partitions }, (_, i) => String(i));
    const violations = [];
    const fail = (v) => {
        if (violations.length < 20)
            violations.push(`${(world.now() / 1000).toFixed(2)}s ${v}`);
    };
    let renewalFailures = 0;
    let expired = 0;
    let stolen = 0;
    const finalCheckpoints = { stored: 0, attempted: 0 };
    const hosts = [];
    const startHost = async (name) => {
        const clock = new HostClock(world, 0, 1);
        const hostRandom = seededRandom(Math.floor(random() * 2 ** 31));
        const leaser = new MemoryLeaser({ store: leaseStore, interceptor });
        leaser.setEventProcessorHost({ ...INFO, hostName: name });
        const checkpointer = new MemoryCheckpointer({ store: checkpointStore, interceptor });
        checkpointer.setEventProcessorHost({ ...INFO, hostName: name });
        const calls = new StoreCallQueue({ clock, maxConcurrentCalls: 32 });
        const storeCall = (priority, what, op) => calls.run({ priority, what, timeout: operationTimeout }, op);
        const epochs = new Map();
        const logger = {
            error: (m) => fail(`${name}: ${String(m)}`),
            warning: (m) => {
                if (String(m).includes("renewal of partition")) {
                    renewalFailures++;
                    fail(`${name}: ${String(m)}`);
                }
            },
            info: () => undefined,
            verbose: () => undefined,
        };
        const balancer = new Balancer({
            leaser,
            hostName: name,
            partitionIds: () => ids,
            leaseDuration,
            renewalInterval,
            scanInterval: renewalInterval,
            operationTimeout,
            storeCalls: calls,
            clock,
            random: hostRandom,
            logger,
            onAcquired: ({ partitionId, epoch, signal }) => {
                epochs.set(partitionId, epoch);
                // The worker's start-up: raise the fence and read the checkpoint, retrying until it succeeds.
                void (async () => {
                    for (let attempt = 0; !signal.aborted; attempt++) {
                        try {
                            await storeCall("take", `Starting partition ${partitionId}`, (abortSignal) => checkpointer.ensureCheckpoint(partitionId, { epoch, abortSignal }));
                            return;
                        }
                        catch {
                            await new Promise((resolve) => clock.setTimeout(resolve, Math.min(5000, 500 * 2 ** attempt)));
                        }
                    }
                })();
            },
            onLost: async (partitionId, reason) => {
                if (reason === "expired") {
                    expired++;
                    fail(`${name} gave partition ${partitionId} up: renewals kept failing`);
                }
                if (reason === "stolen") {
                    stolen++;
                    if (hostCount === 1)
                        fail(`${name} lost partition ${partitionId} as stolen, with no other host`);
                }
                if (reason !== "shutdown")
                    return;
                finalCheckpoints.attempted++;
                const epoch = epochs.get(partitionId) ?? 0;
                const sequenceNumber = Math.floor(world.now());
                try {
                    await storeCall("keep", `Writing the final checkpoint of partition ${partitionId}`, (abortSignal) => checkpointer.updateCheckpoint(partitionId, { offset: String(sequenceNumber), sequenceNumber, enqueuedTime: new Date(0) }, { epoch, abortSignal }));
                    finalCheckpoints.stored++;
                }
                catch (error) {
                    fail(`${name} could not store the final checkpoint of partition ${partitionId}: ${String(error)}`);
                }
            },
        });
        hosts.push({ name, balancer, clock });
        await storeCall("take", "Checkpoint store", (abortSignal) => checkpointer.ensureStore({ abortSignal }));
        await storeCall("take", "Lease store", (abortSignal) => leaser.ensureStore({ abortSignal }));
        balancer.start();
    };
    for (let i = 0; i < hostCount; i++) {
        void startHost(`host-${i}`);
        await world.advance(100);
    }
    const owners = () => {
        const count = new Map();
        for (const h of hosts)
            for (const p of h.balancer.ownedPartitions())
                count.set(p.partitionId, (count.get(p.partitionId) ?? 0) + 1);
        return count;
    };
    let allOwnedAfter;
    while (world.now() < runFor) {
        await world.advance(50);
        if (allOwnedAfter === undefined) {
            const count = owners();
            if (count.size === partitions && [...count.values()].every((n) => n === 1))
                allOwnedAfter = world.now();
        }
    }
    if (allOwnedAfter === undefined || allOwnedAfter > 20_000) {
        fail(`not every partition was owned by exactly one host within 20 s (${owners().size} of ${partitions} owned)`);
    }
    // Close every host at once, as a rolling deployment's SIGTERM to all does.
    const stopping = hosts.map((h) => h.balancer.stop());
    let stopped = false;
    void Promise.all(stopping).then(() => {
        stopped = true;
    });
    const closeBy = world.now() + leaseDuration;
    while (!stopped && world.now() < closeBy)
        await world.advance(50);
    if (!stopped)
        fail("the hosts did not finish stopping within a lease duration");
    const observer = new MemoryLeaser({ store: leaseStore });
    observer.setEventProcessorHost({ ...INFO, hostName: "observer" });
    const leftOwned = (await observer.getLeases()).filter((l) => l.owner !== "").length;
    if (leftOwned > 0)
        fail(`${leftOwned} leases still owned after every host stopped`);
    for (const h of hosts)
        h.clock.crash();
    return {
        seed: options.seed,
        partitions,
        hosts: hostCount,
        throughput,
        violations,
        allOwnedAfter,
        renewalFailures,
        expired,
        stolen,
        finalCheckpoints,
        leftOwned,
        store: { ...stats },
    };
}
//# sourceMappingURL=burst-scenario.js.map