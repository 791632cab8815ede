/**
 * Faster frame output for server connections. rhea writes every frame with its own socket.write (and re-arms
 * a heartbeat timer each time), and encodes each transfer performative through its generic composite-type
 * machinery; streaming events to receivers spent most of the emulator's time there. Here the frames produced
 * during one tick are written together as one buffer, and transfer performatives — the frames carrying
 * events — are encoded by hand. Every other frame still goes through rhea's encoder.
 */
import type { Connection } from "rhea";
import { nodeRequire } from "./node-require.js";

interface RheaFrames {
  write_frame(frame: PendingFrame): Buffer;
}

// rhea does not export its frame encoder; it is CommonJS without an exports map, so the module is reachable.
const rheaFrames = nodeRequire("rhea/lib/frames.js") as RheaFrames;

interface TypedValue {
  value: unknown;
}

interface Performative {
  constructor: { descriptor?: { numeric?: number } };
  value: Array<TypedValue | undefined>;
}

interface PendingFrame {
  channel: number;
  type: number;
  performative?: Performative;
  payload?: Buffer;
}

interface TransportInternals {
  pending: PendingFrame[];
  header_sent: unknown;
  write(socket: { write(b: Buffer): boolean }): void;
  has_writes_pending(): boolean;
}

interface ConnectionInternals {
  amqp_transport: TransportInternals;
  _write_frame(channel?: number, frame?: unknown, payload?: Buffer): void;
  output(): void;
}

const TRANSFER = 0x14;

function uintSize(n: number): number {
  return n === 0 ? 1 : n < 256 ? 2 : 5;
}

function writeUint(buf: Buffer, n: number, pos: number): number {
  if (n === 0) {
    buf[pos] = 0x43;
    return pos + 1;
  }
  if (n < 256) {
    buf[pos] = 0x52;
    buf[pos + 1] = n;
    return pos + 2;
  }
  buf[pos] = 0x70;
  buf.writeUInt32BE(n, pos + 1);
  return pos + 5;
}

function fieldValue(p: Performative, index: number): unknown {
  return p.value[index]?.value;
}

/**
 * Encodes a transfer frame header and performative (the payload follows separately), or returns undefined
 * when the transfer uses fields this fast path does not cover.
 */
function encodeTransferHead(frame: PendingFrame): Buffer | undefined {
  const p = frame.performative!;
  if (p.value.length > 6) return undefined;
  const handle = fieldValue(p, 0);
  const deliveryId = fieldValue(p, 1);
  const tag = fieldValue(p, 2);
  const format = fieldValue(p, 3) ?? 0;
  const settled = fieldValue(p, 4) === true;
  const more = fieldValue(p, 5) === true;
  if (
    typeof handle !== "number" ||
    typeof deliveryId !== "number" ||
    typeof format !== "number" ||
    !Buffer.isBuffer(tag) ||
    tag.length > 255
  ) {
    return undefined;
  }
  const listBody = uintSize(handle) + uintSize(deliveryId) + 2 + tag.length + uintSize(format) + 1 + 1;
  const listSize = listBody + 4 + 4 + 1;
  const headSize = 8 + 3 + listSize;
  const payloadSize = frame.payload?.length ?? 0;
  const buf = Buffer.allocUnsafe(headSize);
  buf.writeUInt32BE(headSize + payloadSize, 0);
  buf[4] = 2;
  buf[5] = 0;
  buf.writeUInt16BE(frame.channel, 6);
  buf[8] = 0x00;
  buf[9] = 0x53;
  buf[10] = TRANSFER;
  buf[11] = 0xd0;
  buf.writeUInt32BE(listBody + 4, 12);
  buf.writeUInt32BE(6, 16);
  let pos = writeUint(buf, handle, 20);
  pos = writeUint(buf, deliveryId, pos);
  buf[pos] = 0xa0;
  buf[pos + 1] = tag.length;
  pos += 2 + tag.copy(buf, pos + 2);
  pos = writeUint(buf, format, pos);
  buf[pos++] = settled ? 0x41 : 0x42;
  buf[pos++] = more ? 0x41 : 0x42;
  return buf;
}

/** Encodes one frame; a transfer yields its head and its payload separately, so the payload is not copied here. */
function encodeFrame(frame: PendingFrame, out: Buffer[]): void {
  const isTransfer = frame.performative?.constructor.descriptor?.numeric === TRANSFER;
  const head = isTransfer ? encodeTransferHead(frame) : undefined;
  if (head) {
    out.push(head);
    if (frame.payload) out.push(frame.payload);
  } else {
    out.push(rheaFrames.write_frame(frame));
  }
}

/** Makes `connection` coalesce its frames per tick into one socket write, with hand-encoded transfers. */
export function coalesceFrameWrites(connection: Connection): void {
  const conn = connection as unknown as ConnectionInternals;
  const transport = conn.amqp_transport;
  const originalWrite = transport.write;
  // Frames are encoded as soon as rhea hands them over (rhea reuses and mutates some performatives, e.g. it
  // clears the error of its close frame right after queuing it); only the socket write waits for the tick.
  const encoded: Buffer[] = [];
  transport.write = function write(socket) {
    if (!this.header_sent || this.pending.length > 0) originalWrite.call(this, socket);
    if (encoded.length === 0) return;
    const data = encoded.length === 1 ? encoded[0]! : Buffer.concat(encoded);
    encoded.length = 0;
    socket.write(data);
  };
  const originalHasWritesPending = transport.has_writes_pending;
  transport.has_writes_pending = function hasWritesPending() {
    return encoded.length > 0 || originalHasWritesPending.call(this);
  };
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    conn.output();
  };
  const originalWriteFrame = conn._write_frame;
  conn._write_frame = function writeFrame(channel, frame, payload) {
    if (frame === undefined) {
      // A heartbeat (empty frame): rhea sends it at once.
      originalWriteFrame.call(this, channel, frame, payload);
      return;
    }
    encodeFrame({ channel: channel ?? 0, type: 0, performative: frame as Performative, payload }, encoded);
    if (!scheduled) {
      scheduled = true;
      process.nextTick(flush);
    }
  };
}
