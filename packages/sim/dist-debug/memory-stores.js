import { MemoryCheckpointer, MemoryCheckpointStore } from "@eph/checkpointer-memory";
import { MemoryLeaser, MemoryLeaseStore } from "@eph/leaser-memory";
/** Fresh shared in-memory lease and checkpoint stores for one simulated run. */
export function memoryStores() {
    const leases = new MemoryLeaseStore();
    const checkpoints = new MemoryCheckpointStore();
    return {
        leaser: () => new MemoryLeaser({ store: leases }),
        checkpointer: () => new MemoryCheckpointer({ store: checkpoints }),
    };
}
//# sourceMappingURL=memory-stores.js.map