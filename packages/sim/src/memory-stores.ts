import { MemoryCheckpointer, MemoryCheckpointStore } from "@eph/checkpointer-memory";
import { MemoryLeaser, MemoryLeaseStore } from "@eph/leaser-memory";
import type { SimStores } from "./simulation.js";

/** Fresh shared in-memory lease and checkpoint stores for one simulated run. */
export function memoryStores(): SimStores {
  const leases = new MemoryLeaseStore();
  const checkpoints = new MemoryCheckpointStore();
  return {
    leaser: () => new MemoryLeaser({ store: leases }),
    checkpointer: () => new MemoryCheckpointer({ store: checkpoints }),
  };
}
