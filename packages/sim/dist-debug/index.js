export { simulateBurst } from "./burst-scenario.js";
export { FaultyLeaser } from "./faulty-leaser.js";
export { HostClock } from "./host-clock.js";
export { memoryStores } from "./memory-stores.js";
export { measureMembership } from "./scenarios.js";
export { simulate } from "./simulation.js";
export { throughputInterceptor } from "./store-throughput.js";
//# sourceMappingURL=index.js.map