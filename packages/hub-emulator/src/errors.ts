/** What went wrong when the emulator is used through its JavaScript API. */
export type HubEmulatorErrorCode = "InvalidOptions" | "UnknownHub" | "UnknownPartition" | "Closed" | "DataDirCorrupt";

/** Error thrown by the emulator's API (never sent over AMQP: clients get AMQP errors instead). */
export class HubEmulatorError extends Error {
  override readonly name = "HubEmulatorError";
  /** Machine-readable reason. */
  readonly code: HubEmulatorErrorCode;

  constructor(code: HubEmulatorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
