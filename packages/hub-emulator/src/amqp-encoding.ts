/**
 * Hand-written reading and writing of the few AMQP 1.0 encodings the emulator touches on the hot path.
 *
 * rhea decodes only message format 0, and decoding then re-encoding every event through rhea's object
 * model would cost more than everything else the emulator does. Events are therefore kept as the bytes the
 * producer sent: we only find section boundaries, read a few annotation values, and splice in our own
 * annotation section.
 */

/** Thrown when bytes are not valid AMQP; the offending delivery or link gets `amqp:decode-error`. */
export class AmqpDecodeError extends Error {
  override readonly name = "AmqpDecodeError";
}

/** Section descriptor codes of an AMQP message (spec part 3.2). */
export const SectionCode = {
  header: 0x70,
  deliveryAnnotations: 0x71,
  messageAnnotations: 0x72,
  properties: 0x73,
  applicationProperties: 0x74,
  data: 0x75,
  amqpSequence: 0x76,
  amqpValue: 0x77,
  footer: 0x78,
} as const;

const symbolicSections: Record<string, number> = {
  "amqp:header:list": SectionCode.header,
  "amqp:delivery-annotations:map": SectionCode.deliveryAnnotations,
  "amqp:message-annotations:map": SectionCode.messageAnnotations,
  "amqp:properties:list": SectionCode.properties,
  "amqp:application-properties:map": SectionCode.applicationProperties,
  "amqp:data:binary": SectionCode.data,
  "amqp:amqp-sequence:list": SectionCode.amqpSequence,
  "amqp:amqp-value:*": SectionCode.amqpValue,
  "amqp:footer:map": SectionCode.footer,
};

/** Where one section of an encoded message lies: `start` at its 0x00 constructor, `value` at its body. */
export interface SectionSpan {
  code: number;
  start: number;
  value: number;
  end: number;
}

function need(buf: Uint8Array, end: number): void {
  if (end > buf.length) throw new AmqpDecodeError("truncated AMQP value");
}

/** Returns the position just after the encoded value starting at `pos`, without decoding it. */
export function valueEnd(buf: Buffer, pos: number): number {
  need(buf, pos + 1);
  const code = buf[pos]!;
  if (code === 0x00) return valueEnd(buf, valueEnd(buf, pos + 1));
  let end: number;
  switch (code >> 4) {
    case 0x4:
      end = pos + 1;
      break;
    case 0x5:
      end = pos + 2;
      break;
    case 0x6:
      end = pos + 3;
      break;
    case 0x7:
      end = pos + 5;
      break;
    case 0x8:
      end = pos + 9;
      break;
    case 0x9:
      end = pos + 17;
      break;
    case 0xa:
    case 0xc:
    case 0xe:
      need(buf, pos + 2);
      end = pos + 2 + buf[pos + 1]!;
      break;
    case 0xb:
    case 0xd:
    case 0xf:
      need(buf, pos + 5);
      end = pos + 5 + buf.readUInt32BE(pos + 1);
      break;
    default:
      throw new AmqpDecodeError(`unknown AMQP format code 0x${code.toString(16)}`);
  }
  need(buf, end);
  return end;
}

/** Reads a string or symbol value; undefined for null or any other type. */
export function readText(buf: Buffer, pos: number): string | undefined {
  const code = buf[pos];
  if (code === 0xa1 || code === 0xa3) {
    const len = buf[pos + 1]!;
    need(buf, pos + 2 + len);
    return buf.toString("utf8", pos + 2, pos + 2 + len);
  }
  if (code === 0xb1 || code === 0xb3) {
    need(buf, pos + 5);
    const len = buf.readUInt32BE(pos + 1);
    need(buf, pos + 5 + len);
    return buf.toString("utf8", pos + 5, pos + 5 + len);
  }
  return undefined;
}

/** Returns [start, end) of the bytes of a binary value (vbin8/vbin32). */
export function binaryBounds(buf: Buffer, pos: number): [number, number] {
  const code = buf[pos];
  if (code === 0xa0) {
    const start = pos + 2;
    need(buf, start);
    const end = start + buf[pos + 1]!;
    need(buf, end);
    return [start, end];
  }
  if (code === 0xb0) {
    const start = pos + 5;
    need(buf, start);
    const end = start + buf.readUInt32BE(pos + 1);
    need(buf, end);
    return [start, end];
  }
  throw new AmqpDecodeError("expected a binary value in a data section");
}

function descriptorCode(buf: Buffer, pos: number): number {
  const code = buf[pos];
  if (code === 0x53) {
    need(buf, pos + 2);
    return buf[pos + 1]!;
  }
  if (code === 0x80) {
    need(buf, pos + 9);
    return buf.readUInt32BE(pos + 1) === 0 ? buf.readUInt32BE(pos + 5) : -1;
  }
  const symbol = readText(buf, pos);
  if (symbol !== undefined) return symbolicSections[symbol] ?? -1;
  throw new AmqpDecodeError("unexpected section descriptor");
}

/** Splits an encoded AMQP message into its sections. */
export function readSections(buf: Buffer): SectionSpan[] {
  const sections: SectionSpan[] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (buf[pos] !== 0x00) throw new AmqpDecodeError("expected a described message section");
    const code = descriptorCode(buf, pos + 1);
    const value = valueEnd(buf, pos + 1);
    const end = valueEnd(buf, value);
    sections.push({ code, start: pos, value, end });
    pos = end;
  }
  return sections;
}

/** One key/value pair of an encoded map, as byte positions. */
export interface MapEntrySpan {
  key: string | undefined;
  start: number;
  valueStart: number;
  end: number;
}

/** Lists the entries of the map encoded at `pos` (keys decoded when they are strings or symbols). */
export function readMapEntries(buf: Buffer, pos: number): MapEntrySpan[] {
  const code = buf[pos];
  let count: number;
  let cursor: number;
  if (code === 0xc1) {
    need(buf, pos + 3);
    count = buf[pos + 2]!;
    cursor = pos + 3;
  } else if (code === 0xd1) {
    need(buf, pos + 9);
    count = buf.readUInt32BE(pos + 5);
    cursor = pos + 9;
  } else if (code === 0x40) {
    return [];
  } else {
    throw new AmqpDecodeError("expected an annotations map");
  }
  if (count % 2 !== 0) throw new AmqpDecodeError("map with an odd number of elements");
  const entries: MapEntrySpan[] = [];
  for (let i = 0; i < count; i += 2) {
    const valueStart = valueEnd(buf, cursor);
    const end = valueEnd(buf, valueStart);
    entries.push({ key: readText(buf, cursor), start: cursor, valueStart, end });
    cursor = end;
  }
  return entries;
}

/** Encodes a symbol (used for annotation keys). */
export function encodeSymbol(name: string): Buffer {
  const bytes = Buffer.from(name, "utf8");
  if (bytes.length > 255) {
    const out = Buffer.allocUnsafe(5 + bytes.length);
    out[0] = 0xb3;
    out.writeUInt32BE(bytes.length, 1);
    bytes.copy(out, 5);
    return out;
  }
  const out = Buffer.allocUnsafe(2 + bytes.length);
  out[0] = 0xa3;
  out[1] = bytes.length;
  bytes.copy(out, 2);
  return out;
}

/** Encodes a string value. */
export function encodeString(text: string): Buffer {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length > 255) {
    const out = Buffer.allocUnsafe(5 + bytes.length);
    out[0] = 0xb1;
    out.writeUInt32BE(bytes.length, 1);
    bytes.copy(out, 5);
    return out;
  }
  const out = Buffer.allocUnsafe(2 + bytes.length);
  out[0] = 0xa1;
  out[1] = bytes.length;
  bytes.copy(out, 2);
  return out;
}

const TWO_POW_32 = 4294967296;

/** Writes a signed 64-bit integer (|value| < 2^53) big-endian at `pos`. */
export function writeInt64(buf: Buffer, value: number, pos: number): void {
  const hi = Math.floor(value / TWO_POW_32);
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(value - hi * TWO_POW_32, pos + 4);
}

/** Encoded size of a long (0x81) or timestamp (0x83) value. */
export const INT64_VALUE_SIZE = 9;

/** Writes a long (`0x81`) or timestamp (`0x83`) value at `pos`; returns the position after it. */
export function writeInt64Value(buf: Buffer, typeCode: 0x81 | 0x83, value: number, pos: number): number {
  buf[pos] = typeCode;
  writeInt64(buf, value, pos + 1);
  return pos + INT64_VALUE_SIZE;
}

/** Size of an encoded string value holding `byteLength` UTF-8 bytes. */
export function stringValueSize(byteLength: number): number {
  return byteLength > 255 ? 5 + byteLength : 2 + byteLength;
}

/** Writes an ASCII string value at `pos`; returns the position after it. */
export function writeAsciiStringValue(buf: Buffer, text: string, pos: number): number {
  const len = text.length;
  if (len > 255) {
    buf[pos] = 0xb1;
    buf.writeUInt32BE(len, pos + 1);
    buf.write(text, pos + 5, "latin1");
    return pos + 5 + len;
  }
  buf[pos] = 0xa1;
  buf[pos + 1] = len;
  buf.write(text, pos + 2, "latin1");
  return pos + 2 + len;
}

/** Size of the constructor of a described section with a small-ulong descriptor (0x00 0x53 code). */
export const SECTION_PREFIX_SIZE = 3;

/** Size of a map32 header (code, size, count). */
export const MAP32_HEADER_SIZE = 9;

/** Writes `0x00 0x53 code` followed by a map32 header; `bodySize` is the byte size of the entries. */
export function writeMapSectionHeader(buf: Buffer, code: number, entryCount: number, bodySize: number, pos: number) {
  buf[pos] = 0x00;
  buf[pos + 1] = 0x53;
  buf[pos + 2] = code;
  buf[pos + 3] = 0xd1;
  buf.writeUInt32BE(bodySize + 4, pos + 4);
  buf.writeUInt32BE(entryCount * 2, pos + 8);
  return pos + SECTION_PREFIX_SIZE + MAP32_HEADER_SIZE;
}
