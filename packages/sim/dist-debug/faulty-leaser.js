import { EphError, keepsHostRecords, } from "@eph/core";
/**
 * Wraps a host's Leaser the way a network would: each call is delayed on the way in and on the way
 * out (on the calling process's clock, so a paused process sees its answers late), may fail before
 * reaching the store, and may fail after the store applied it (the caller cannot tell which).
 */
export class FaultyLeaser {
    inner;
    clock;
    faults;
    random;
    counter;
    isolated;
    overtrust;
    constructor(inner, clock, faults, random, counter, isolated = () => false, overtrust = 0) {
        this.inner = inner;
        this.clock = clock;
        this.faults = faults;
        this.random = random;
        this.counter = counter;
        this.isolated = isolated;
        this.overtrust = overtrust;
    }
    /** The host this leaser works for. */
    #hostName = "";
    /** Per host record: the real version, and when (this process's clock) it was first listed. */
    #changes = new Map();
    async call(what, options, op) {
        this.counter.calls++;
        await this.send(options);
        if (this.isolated())
            throw new EphError("StoreUnavailable", `${what}: host cut off from the store`);
        if (this.random() < this.faults.errorRate / 2)
            throw new EphError("StoreUnavailable", `${what}: injected fault`);
        const result = await op();
        await this.hop(options);
        if (this.random() < this.faults.errorRate / 2) {
            throw new EphError("StoreUnavailable", `${what}: injected fault after the write`);
        }
        return result;
    }
    /**
     * The way in: on the network's time, so a request sent before its process was paused or killed
     * (a crash during a liveness write) still lands; the caller's deadline can still cut it short.
     */
    send(options) {
        return this.latency(options, (callback, ms) => this.clock.network(callback, ms));
    }
    /** The way back: on the calling process's clock, so a paused process sees its answers late. */
    hop(options) {
        return this.latency(options, (callback, ms) => this.clock.setTimeout(callback, ms));
    }
    latency(options, after) {
        const ms = this.random() * this.faults.maxLatency;
        return new Promise((resolve, reject) => {
            const signal = options?.abortSignal;
            if (signal?.aborted) {
                reject(signal.reason);
                return;
            }
            after(() => {
                if (signal?.aborted)
                    reject(signal.reason);
                else
                    resolve();
            }, ms);
        });
    }
    setEventProcessorHost(info) {
        this.inner.setEventProcessorHost(info);
        this.#hostName = info.hostName;
    }
    storeExists(options) {
        return this.call("storeExists", options, () => this.inner.storeExists(options));
    }
    ensureStore(options) {
        return this.call("ensureStore", options, () => this.inner.ensureStore(options));
    }
    deleteStore(options) {
        return this.call("deleteStore", options, () => this.inner.deleteStore(options));
    }
    getLeases(options) {
        return this.call("getLeases", options, () => this.inner.getLeases(options));
    }
    ensureLease(partitionId, options) {
        return this.call("ensureLease", options, () => this.inner.ensureLease(partitionId, options));
    }
    deleteLease(partitionId, options) {
        return this.call("deleteLease", options, () => this.inner.deleteLease(partitionId, options));
    }
    acquireLease(partitionId, options) {
        return this.call("acquireLease", options, () => this.inner.acquireLease(partitionId, strip(options)));
    }
    renewLease(partitionId, options) {
        return this.call("renewLease", options, () => this.inner.renewLease(partitionId));
    }
    releaseLease(partitionId, options) {
        return this.call("releaseLease", options, () => this.inner.releaseLease(partitionId));
    }
    updateLease(partitionId, options) {
        return this.call("updateLease", options, () => this.inner.updateLease(partitionId));
    }
    listLeasesAndHosts(options) {
        const inner = this.inner;
        if (!keepsHostRecords(inner))
            throw new EphError("InvalidOption", "The simulated leaser keeps no host records.");
        return this.call("listLeasesAndHosts", options, () => inner.listLeasesAndHosts(options)).then((listing) => this.overtrust > 0 ? this.overtrusted(listing) : listing);
    }
    /**
     * The deliberately broken observer: another host's liveness record is shown as still changing for
     * `overtrust` ms after it really stopped, so the host trusts it that much too long.
     */
    overtrusted(listing) {
        const now = this.clock.now();
        const hosts = listing.hosts.map((record) => {
            if (record.hostName === this.#hostName)
                return record;
            const seen = this.#changes.get(record.hostName);
            if (seen?.version !== record.version) {
                this.#changes.set(record.hostName, { version: record.version, since: now });
                return record;
            }
            if (now - seen.since >= this.overtrust)
                return record;
            return { ...record, version: `${record.version}~${Math.floor(now)}` };
        });
        return { leases: listing.leases, hosts };
    }
    writeHostRecord(content, expectedVersion, options) {
        const inner = this.inner;
        if (!keepsHostRecords(inner))
            throw new EphError("InvalidOption", "The simulated leaser keeps no host records.");
        return this.call("writeHostRecord", options, () => inner.writeHostRecord(content, expectedVersion));
    }
    deleteHostRecord(expectedVersion, options) {
        const inner = this.inner;
        if (!keepsHostRecords(inner))
            throw new EphError("InvalidOption", "The simulated leaser keeps no host records.");
        return this.call("deleteHostRecord", options, () => inner.deleteHostRecord(expectedVersion));
    }
    close() {
        return this.inner.close();
    }
}
/**
 * Once a request has reached the store it is applied whatever the caller's deadline says (a real
 * server does not see the client give up), so the signal is not passed on.
 */
function strip(options) {
    return options?.expectedVersion === undefined ? undefined : { expectedVersion: options.expectedVersion };
}
//# sourceMappingURL=faulty-leaser.js.map