import { AmqpDecodeError, binaryBounds, readMapEntries, readSections, readText, SectionCode } from "./amqp-encoding.js";

/** The message format of an Event Hubs batch: an envelope whose data sections each hold one encoded message. */
export const BATCH_MESSAGE_FORMAT = 0x80013700;

/** Annotation that routes an event by key; producers set it on the envelope and on each event. */
export const PARTITION_KEY_ANNOTATION = "x-opt-partition-key";

/** What a publish delivery carries once the envelope is opened. */
export interface PublishedBatch {
  /** Each event, still encoded as the producer sent it. */
  events: Buffer[];
  /** The partition key from the envelope's message annotations, if any. */
  partitionKey: string | undefined;
}

/** Reads the partition key annotation from an encoded message-annotations section value. */
export function partitionKeyOf(buf: Buffer, mapPos: number): string | undefined {
  for (const entry of readMapEntries(buf, mapPos)) {
    if (entry.key === PARTITION_KEY_ANNOTATION) return readText(buf, entry.valueStart);
  }
  return undefined;
}

/**
 * Opens a batch envelope (format 0x80013700). The events are returned as views into `envelope`;
 * callers copy what they keep.
 */
export function decodeBatchEnvelope(envelope: Buffer): PublishedBatch {
  const events: Buffer[] = [];
  let partitionKey: string | undefined;
  for (const section of readSections(envelope)) {
    if (section.code === SectionCode.messageAnnotations) {
      partitionKey = partitionKeyOf(envelope, section.value);
    } else if (section.code === SectionCode.data) {
      const [start, end] = binaryBounds(envelope, section.value);
      events.push(envelope.subarray(start, end));
    }
  }
  if (events.length === 0) throw new AmqpDecodeError("batch envelope without data sections");
  return { events, partitionKey };
}
