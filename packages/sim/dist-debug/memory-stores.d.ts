import type { SimStores } from "./simulation.js";
/** Fresh shared in-memory lease and checkpoint stores for one simulated run. */
export declare function memoryStores(): SimStores;
