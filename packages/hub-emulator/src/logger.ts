import { createClientLogger } from "@azure/logger";

/** The emulator's logger (`AZURE_LOG_LEVEL=info` shows it). Never given tokens or connection strings. */
export const logger = createClientLogger("eph:hub-emulator");

/** The message of anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
