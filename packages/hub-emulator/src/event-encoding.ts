import {
  encodeSymbol,
  INT64_VALUE_SIZE,
  MAP32_HEADER_SIZE,
  readMapEntries,
  readSections,
  readText,
  SECTION_PREFIX_SIZE,
  SectionCode,
  stringValueSize,
  writeAsciiStringValue,
  writeInt64Value,
  writeMapSectionHeader,
} from "./amqp-encoding.js";
import { PARTITION_KEY_ANNOTATION } from "./batch-envelope.js";

const SEQUENCE_NUMBER = "x-opt-sequence-number";
const OFFSET = "x-opt-offset";
const ENQUEUED_TIME = "x-opt-enqueued-time";

/** Annotations the service owns: whatever a producer put under these names is replaced. */
const SERVICE_ANNOTATIONS = new Set([SEQUENCE_NUMBER, OFFSET, ENQUEUED_TIME]);

const SEQUENCE_NUMBER_KEY = encodeSymbol(SEQUENCE_NUMBER);
const OFFSET_KEY = encodeSymbol(OFFSET);
const ENQUEUED_TIME_KEY = encodeSymbol(ENQUEUED_TIME);
const PARTITION_KEY_KEY = encodeSymbol(PARTITION_KEY_ANNOTATION);

/** An event as the producer encoded it, with the byte ranges the emulator rewrites. */
export interface ParsedEvent {
  source: Buffer;
  /** End of the header section (0 when there is none): the rest of the message starts after the annotations. */
  headerEnd: number;
  /** Producer annotations kept as they are: [start, end) of each key+value. */
  keptAnnotations: Array<[number, number]>;
  keptAnnotationBytes: number;
  /** Start of the properties section (or whatever follows the annotations). */
  restStart: number;
  /** Partition key annotation the event carries itself. */
  partitionKey: string | undefined;
}

/** Finds the parts of an encoded event; throws AmqpDecodeError on malformed bytes. */
export function parseEvent(source: Buffer): ParsedEvent {
  let headerEnd = 0;
  let restStart = 0;
  const keptAnnotations: Array<[number, number]> = [];
  let keptAnnotationBytes = 0;
  let partitionKey: string | undefined;
  for (const section of readSections(source)) {
    if (section.code === SectionCode.header) {
      headerEnd = section.end;
      restStart = section.end;
    } else if (section.code === SectionCode.deliveryAnnotations) {
      // Delivery annotations belong to one hop (producer -> service); they are not stored.
      restStart = section.end;
    } else if (section.code === SectionCode.messageAnnotations) {
      for (const entry of readMapEntries(source, section.value)) {
        if (entry.key !== undefined && SERVICE_ANNOTATIONS.has(entry.key)) continue;
        if (entry.key === PARTITION_KEY_ANNOTATION) partitionKey = readText(source, entry.valueStart);
        keptAnnotations.push([entry.start, entry.end]);
        keptAnnotationBytes += entry.end - entry.start;
      }
      restStart = section.end;
    } else {
      break;
    }
  }
  return { source, headerEnd, keptAnnotations, keptAnnotationBytes, restStart, partitionKey };
}

/** Service annotations stamped on an event when it is enqueued. */
export interface EnqueueStamp {
  sequenceNumber: number;
  offset: number;
  enqueuedTimeMs: number;
  /** Added when the event came with a key on the envelope only. */
  partitionKey: string | undefined;
}

/** Byte size of `event` once stamped. */
export function stampedSize(event: ParsedEvent, stamp: EnqueueStamp): number {
  return event.headerEnd + annotationsSectionSize(event, stamp) + (event.source.length - event.restStart);
}

function extraPartitionKey(event: ParsedEvent, stamp: EnqueueStamp): string | undefined {
  return event.partitionKey === undefined ? stamp.partitionKey : undefined;
}

function annotationsSectionSize(event: ParsedEvent, stamp: EnqueueStamp): number {
  const key = extraPartitionKey(event, stamp);
  return (
    SECTION_PREFIX_SIZE +
    MAP32_HEADER_SIZE +
    event.keptAnnotationBytes +
    SEQUENCE_NUMBER_KEY.length +
    INT64_VALUE_SIZE +
    OFFSET_KEY.length +
    stringValueSize(String(stamp.offset).length) +
    ENQUEUED_TIME_KEY.length +
    INT64_VALUE_SIZE +
    (key === undefined ? 0 : PARTITION_KEY_KEY.length + stringValueSize(Buffer.byteLength(key)))
  );
}

/** Writes the stamped event into `out` at `pos`; returns the position after it. */
export function writeStampedEvent(out: Buffer, pos: number, event: ParsedEvent, stamp: EnqueueStamp): number {
  const { source } = event;
  let cursor = pos + source.copy(out, pos, 0, event.headerEnd);
  const key = extraPartitionKey(event, stamp);
  const count = event.keptAnnotations.length + 3 + (key === undefined ? 0 : 1);
  const bodySize = annotationsSectionSize(event, stamp) - SECTION_PREFIX_SIZE - MAP32_HEADER_SIZE;
  cursor = writeMapSectionHeader(out, SectionCode.messageAnnotations, count, bodySize, cursor);
  cursor += SEQUENCE_NUMBER_KEY.copy(out, cursor);
  cursor = writeInt64Value(out, 0x81, stamp.sequenceNumber, cursor);
  cursor += OFFSET_KEY.copy(out, cursor);
  cursor = writeAsciiStringValue(out, String(stamp.offset), cursor);
  cursor += ENQUEUED_TIME_KEY.copy(out, cursor);
  cursor = writeInt64Value(out, 0x83, stamp.enqueuedTimeMs, cursor);
  if (key !== undefined) {
    cursor += PARTITION_KEY_KEY.copy(out, cursor);
    const bytes = Buffer.from(key, "utf8");
    if (bytes.length > 255) {
      out[cursor] = 0xb1;
      out.writeUInt32BE(bytes.length, cursor + 1);
      cursor += 5;
    } else {
      out[cursor] = 0xa1;
      out[cursor + 1] = bytes.length;
      cursor += 2;
    }
    cursor += bytes.copy(out, cursor);
  }
  for (const [start, end] of event.keptAnnotations) cursor += source.copy(out, cursor, start, end);
  cursor += source.copy(out, cursor, event.restStart);
  return cursor;
}

const LAST_SEQUENCE_KEY = encodeSymbol("last_enqueued_sequence_number");
const LAST_OFFSET_KEY = encodeSymbol("last_enqueued_offset");
const LAST_TIME_KEY = encodeSymbol("last_enqueued_time_utc");
const RETRIEVAL_TIME_KEY = encodeSymbol("runtime_info_retrieval_time_utc");

/** The partition's newest event, reported to receivers that track last-enqueued properties. */
export interface LastEnqueuedInfo {
  sequenceNumber: number;
  offset: number;
  enqueuedTimeMs: number;
  retrievalTimeMs: number;
}

/** Encodes the delivery-annotations section carrying receiver runtime metrics. */
export function encodeRuntimeMetrics(info: LastEnqueuedInfo): Buffer {
  const offsetText = String(info.offset);
  const bodySize =
    LAST_SEQUENCE_KEY.length +
    INT64_VALUE_SIZE +
    LAST_OFFSET_KEY.length +
    stringValueSize(offsetText.length) +
    LAST_TIME_KEY.length +
    INT64_VALUE_SIZE +
    RETRIEVAL_TIME_KEY.length +
    INT64_VALUE_SIZE;
  const out = Buffer.allocUnsafe(SECTION_PREFIX_SIZE + MAP32_HEADER_SIZE + bodySize);
  let cursor = writeMapSectionHeader(out, SectionCode.deliveryAnnotations, 4, bodySize, 0);
  cursor += LAST_SEQUENCE_KEY.copy(out, cursor);
  cursor = writeInt64Value(out, 0x81, info.sequenceNumber, cursor);
  cursor += LAST_OFFSET_KEY.copy(out, cursor);
  cursor = writeAsciiStringValue(out, offsetText, cursor);
  cursor += LAST_TIME_KEY.copy(out, cursor);
  cursor = writeInt64Value(out, 0x83, info.enqueuedTimeMs, cursor);
  cursor += RETRIEVAL_TIME_KEY.copy(out, cursor);
  writeInt64Value(out, 0x83, info.retrievalTimeMs, cursor);
  return out;
}
