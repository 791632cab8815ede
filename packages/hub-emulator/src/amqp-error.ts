/** An AMQP error condition and description, as put in a detach, a disposition or a management reply. */
export interface AmqpErrorInfo {
  condition: string;
  description: string;
}

/** An error that reaches the client as an AMQP error (the client maps `condition` to its own error codes). */
export class AmqpFailure extends Error {
  override readonly name = "AmqpFailure";
  readonly condition: string;

  constructor(condition: string, description: string) {
    super(description);
    this.condition = condition;
  }

  /** The form rhea puts on the wire. */
  toAmqp(): AmqpErrorInfo {
    return { condition: this.condition, description: this.message };
  }
}

/** Error conditions the emulator answers with, named as Event Hubs uses them. */
export const Condition = {
  notFound: "amqp:not-found",
  notAllowed: "amqp:not-allowed",
  decodeError: "amqp:decode-error",
  internalError: "amqp:internal-error",
  notImplemented: "amqp:not-implemented",
  resourceLimitExceeded: "amqp:resource-limit-exceeded",
  messageSizeExceeded: "amqp:link:message-size-exceeded",
  linkStolen: "amqp:link:stolen",
  connectionForced: "amqp:connection:forced",
  framingError: "amqp:connection:framing-error",
  argumentError: "com.microsoft:argument-error",
  argumentOutOfRange: "com.microsoft:argument-out-of-range",
  serverBusy: "com.microsoft:server-busy",
} as const;
