export type { EmulatorClient } from "./connection-registry.js";
export { EMULATOR_KEY, EMULATOR_KEY_NAME, emulatorConnectionString } from "./connection-string.js";
export { type Emulator, type PartitionStats, startEmulator } from "./emulator.js";
export { HubEmulatorError, type HubEmulatorErrorCode } from "./errors.js";
export type { EmulatorFaults } from "./faults.js";
export {
  DEFAULT_CONSUMER_GROUP,
  DEFAULT_MAX_MESSAGE_SIZE,
  DEFAULT_RETENTION,
  type EmulatorOptions,
  type HubOptions,
  type RetentionOptions,
} from "./options.js";
