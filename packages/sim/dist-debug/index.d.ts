export { type BurstOptions, type BurstResult, simulateBurst } from "./burst-scenario.js";
export { type CallCounter, FaultyLeaser, type StoreFaults } from "./faulty-leaser.js";
export { HostClock, type ProcessState } from "./host-clock.js";
export { memoryStores } from "./memory-stores.js";
export { type ChangeFigures, type MembershipFigures, type MembershipOptions, measureMembership } from "./scenarios.js";
export { type SimOptions, type SimResult, type SimStores, simulate } from "./simulation.js";
export { type StoreThroughput, type ThroughputStats, throughputInterceptor } from "./store-throughput.js";
