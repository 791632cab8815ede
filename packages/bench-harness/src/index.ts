export { startBenchEnvironment } from "./bench-environment.js";
export { type BenchmarkOptions, type BenchmarkReport, runBenchmark } from "./benchmark.js";
export type { Duplicate, Handling } from "./event-ledger.js";
export type { HealthSample } from "./fleet.js";
export type { JoinResult, LeaveResult, MembershipResult, SteadyStorage } from "./membership-scenario.js";
export { runScaleBenchmark, type ScaleBenchmarkOptions, scaleTable } from "./scale-bench.js";
export { runScale, type ScaleOptions, type ScaleRun, scaleConsumerGroups } from "./scale-scenario.js";
export type { SideName } from "./sides.js";
export { runSoak, type SoakCheck, type SoakOptions, type SoakReport, soakSummary } from "./soak.js";
export {
  type ChaosAction,
  type ChaosKind,
  type CheckpointWrite,
  explainDuplicate,
  type FenceOverlap,
  findAcceptedFencedWrites,
  findFenceOverlaps,
  findRegressions,
  type MemoryTrend,
  memoryTrend,
  type Opening,
} from "./soak-checks.js";
export type { ThroughputRun } from "./throughput-scenario.js";
export type { LeaseTiming } from "./worker-config.js";
