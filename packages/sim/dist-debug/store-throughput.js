/**
 * An interceptor for the memory stores that gives them finite throughput: an operation's latency is
 * the base latency plus a fixed cost for every operation already in flight at the store (a server
 * working through its backlog), on the world's clock. So a host that sends hundreds of calls at once
 * makes every call slow, its own renewals included, as Azure Storage and Azurite do under a burst.
 * The operation takes effect when its latency has passed, whatever the caller's deadline said
 * meanwhile (a server does not see the client give up), unless the caller's signal already fired.
 */
export function throughputInterceptor(world, model, stats) {
    return async (_call, apply) => {
        stats.inFlight++;
        stats.operations++;
        stats.peakInFlight = Math.max(stats.peakInFlight, stats.inFlight);
        const latency = model.baseLatency + (stats.inFlight - 1) * model.perCallInFlight;
        stats.peakLatency = Math.max(stats.peakLatency, latency);
        try {
            await new Promise((resolve) => world.setTimeout(resolve, latency));
        }
        finally {
            stats.inFlight--;
        }
        return apply();
    };
}
//# sourceMappingURL=store-throughput.js.map