export { type AzuriteOptions, type AzuriteServers, startAzurite } from "./azurite.js";
export { runCli } from "./cli.js";
export { CliError } from "./cli-error.js";
export { type ConnectionSettings, EnvVar, resolveConnectionSettings } from "./connection-settings.js";
export type { DemoRebalance, DemoSummary } from "./demo/demo-run.js";
export { ExitCode, type ExitCodeValue } from "./exit-codes.js";
export type { CliIo, InputStream, OutputStream } from "./io.js";
export { type LagReport, lagReport, type PartitionLag } from "./lag-report.js";
export { type LocalStack, type LocalStackOptions, startLocalStack } from "./local-stack.js";
export {
  type CheckpointView,
  collectStatus,
  type LeaseState,
  type PartitionStatus,
  type StatusReport,
  type StatusSources,
} from "./status.js";
