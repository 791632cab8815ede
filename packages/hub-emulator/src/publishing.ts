import rhea, { type Message } from "rhea";
import { AmqpDecodeError } from "./amqp-encoding.js";
import { AmqpFailure, Condition } from "./amqp-error.js";
import { BATCH_MESSAGE_FORMAT, decodeBatchEnvelope, PARTITION_KEY_ANNOTATION } from "./batch-envelope.js";
import { type ParsedEvent, parseEvent } from "./event-encoding.js";

/** The events of one publish delivery, ready to append. */
export interface DecodedPublish {
  events: ParsedEvent[];
  partitionKey: string | undefined;
}

function tooLarge(size: number, max: number): AmqpFailure {
  return new AmqpFailure(
    Condition.messageSizeExceeded,
    `The received message (size ${size} bytes) exceeds the limit (${max} bytes) currently allowed on the link.`,
  );
}

/**
 * Opens a publish delivery: a batch envelope (format 0x80013700, what the Event Hubs client always sends) or
 * a plain AMQP message (format 0, which rhea has already decoded). Throws AmqpFailure for oversized or
 * undecodable deliveries.
 */
export function decodePublish(payload: unknown, format: number | undefined, maxSize: number): DecodedPublish {
  try {
    if (Buffer.isBuffer(payload)) {
      if (payload.length > maxSize) throw tooLarge(payload.length, maxSize);
      if (format !== BATCH_MESSAGE_FORMAT) {
        throw new AmqpFailure(Condition.notImplemented, `Message format ${String(format)} is not supported.`);
      }
      const batch = decodeBatchEnvelope(payload);
      return { events: batch.events.map(parseEvent), partitionKey: batch.partitionKey };
    }
    if (payload === null || typeof payload !== "object") {
      throw new AmqpFailure(Condition.decodeError, "The delivery carries no message.");
    }
    const message = payload as Message;
    const encoded = rhea.message.encode(message);
    if (encoded.length > maxSize) throw tooLarge(encoded.length, maxSize);
    const key = message.message_annotations?.[PARTITION_KEY_ANNOTATION];
    return { events: [parseEvent(encoded)], partitionKey: typeof key === "string" ? key : undefined };
  } catch (error) {
    if (error instanceof AmqpDecodeError) {
      throw new AmqpFailure(Condition.decodeError, `The message could not be decoded: ${error.message}.`);
    }
    throw error;
  }
}
