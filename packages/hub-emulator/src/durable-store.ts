import fs from "node:fs";
import path from "node:path";
import { HubEmulatorError } from "./errors.js";
import type { PartitionLog, PartitionLogPersistence, PartitionLogState, StoredEvent } from "./partition-log.js";

/**
 * On-disk layout (one directory per hub, one per partition):
 *   <dataDir>/<hub>/meta.json                 {"name","createdAtMs","partitions"}
 *   <dataDir>/<hub>/<partition>/<first-seq>.log  segments of records
 * A record is a 32-byte header (u32 payload length, u32 header-section length, f64 sequence number,
 * f64 offset, f64 enqueued time; little-endian) followed by the stored event bytes. Writes go through the
 * page cache (no fsync): the store survives a process restart, not a power cut.
 */
const RECORD_HEADER = 32;
/** Size at which a partition starts a new segment file (expiry deletes whole segments). */
export const DEFAULT_SEGMENT_BYTES = 8 * 1024 * 1024;
const SEGMENT_NAME = /^(\d{16})\.log$/;

interface HubMeta {
  name: string;
  createdAtMs: number;
  partitions: number;
}

/** A hub as found in the data directory. */
export interface SavedHub {
  createdAtMs: number;
  partitions: PartitionLogState[];
}

/** Keeps hubs' events in a directory so a restarted emulator serves them again. */
export interface DurableStore {
  hub(name: string): SavedHub | undefined;
  saveHub(name: string, createdAtMs: number, partitions: number): void;
  attach(hubName: string, log: PartitionLog): void;
  close(): void;
}

interface Segment {
  firstSequenceNumber: number;
  lastSequenceNumber: number;
  file: string;
}

function hubDir(root: string, name: string): string {
  return path.join(root, name.toLowerCase());
}

function segmentFile(dir: string, firstSequenceNumber: number): string {
  return path.join(dir, `${String(firstSequenceNumber).padStart(16, "0")}.log`);
}

function corrupt(file: string, why: string): HubEmulatorError {
  return new HubEmulatorError("DataDirCorrupt", `${file}: ${why}`);
}

/** Reads one partition directory; a torn record at the end of the newest segment is cut off. */
function readPartition(dir: string): { state: PartitionLogState; segments: Segment[] } {
  const events: StoredEvent[] = [];
  const segments: Segment[] = [];
  const names = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((n) => SEGMENT_NAME.test(n))
        .sort()
    : [];
  let next: { sequenceNumber: number; offset: number } | undefined;
  let last: StoredEvent | undefined;
  for (const [index, name] of names.entries()) {
    const file = path.join(dir, name);
    const chunk = fs.readFileSync(file);
    let pos = 0;
    let first: number | undefined;
    while (pos + RECORD_HEADER <= chunk.length) {
      const length = chunk.readUInt32LE(pos);
      const headerLength = chunk.readUInt32LE(pos + 4);
      const sequenceNumber = chunk.readDoubleLE(pos + 8);
      const offset = chunk.readDoubleLE(pos + 16);
      const enqueuedTimeMs = chunk.readDoubleLE(pos + 24);
      const start = pos + RECORD_HEADER;
      if (start + length > chunk.length) break;
      if (next && sequenceNumber !== next.sequenceNumber) {
        throw corrupt(file, `expected sequence number ${next.sequenceNumber}, found ${sequenceNumber}`);
      }
      const event: StoredEvent = {
        sequenceNumber,
        offset,
        enqueuedTimeMs,
        chunk,
        start,
        end: start + length,
        headerLength,
      };
      events.push(event);
      last = event;
      first ??= sequenceNumber;
      next = { sequenceNumber: sequenceNumber + 1, offset: offset + length };
      pos = start + length;
    }
    if (pos < chunk.length) {
      if (index !== names.length - 1) throw corrupt(file, "truncated record in the middle of the log");
      fs.truncateSync(file, pos);
    }
    if (first !== undefined && last) {
      segments.push({ firstSequenceNumber: first, lastSequenceNumber: last.sequenceNumber, file });
    } else {
      fs.rmSync(file, { force: true });
    }
  }
  return {
    state: {
      events,
      nextSequenceNumber: next?.sequenceNumber ?? 0,
      nextOffset: next?.offset ?? 0,
      lastEnqueued: last
        ? { sequenceNumber: last.sequenceNumber, offset: last.offset, enqueuedTimeMs: last.enqueuedTimeMs }
        : undefined,
    },
    segments,
  };
}

class PartitionFiles implements PartitionLogPersistence {
  private fd: number | undefined;
  private activeBytes = 0;

  constructor(
    private readonly dir: string,
    private readonly segments: Segment[],
    private readonly segmentBytes: number,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    const active = segments[segments.length - 1];
    if (active) {
      this.fd = fs.openSync(active.file, "a");
      this.activeBytes = fs.fstatSync(this.fd).size;
    }
  }

  appended(events: readonly StoredEvent[]): void {
    const first = events[0];
    const newest = events[events.length - 1];
    if (!first || !newest) return;
    if (this.fd === undefined || this.activeBytes >= this.segmentBytes) {
      if (this.fd !== undefined) fs.closeSync(this.fd);
      const file = segmentFile(this.dir, first.sequenceNumber);
      this.fd = fs.openSync(file, "a");
      this.activeBytes = 0;
      this.segments.push({ firstSequenceNumber: first.sequenceNumber, lastSequenceNumber: first.sequenceNumber, file });
    }
    let size = 0;
    for (const e of events) size += RECORD_HEADER + (e.end - e.start);
    const out = Buffer.allocUnsafe(size);
    let pos = 0;
    for (const e of events) {
      out.writeUInt32LE(e.end - e.start, pos);
      out.writeUInt32LE(e.headerLength, pos + 4);
      out.writeDoubleLE(e.sequenceNumber, pos + 8);
      out.writeDoubleLE(e.offset, pos + 16);
      out.writeDoubleLE(e.enqueuedTimeMs, pos + 24);
      pos += RECORD_HEADER;
      pos += e.chunk.copy(out, pos, e.start, e.end);
    }
    fs.writeSync(this.fd, out);
    this.activeBytes += size;
    this.segments[this.segments.length - 1]!.lastSequenceNumber = newest.sequenceNumber;
  }

  expired(beginSequenceNumber: number): void {
    // The newest segment always stays: it remembers where sequence numbers and offsets continue.
    while (this.segments.length > 1 && this.segments[0]!.lastSequenceNumber < beginSequenceNumber) {
      fs.rmSync(this.segments.shift()!.file, { force: true });
    }
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Opens (creating if needed) a data directory. */
export async function openDurableStore(
  root: string,
  segmentBytes: number = DEFAULT_SEGMENT_BYTES,
): Promise<DurableStore> {
  try {
    fs.mkdirSync(root, { recursive: true });
  } catch (error) {
    throw new HubEmulatorError("InvalidOptions", `cannot create data directory ${root}: ${String(error)}`, {
      cause: error,
    });
  }
  const segmentsByPartition = new Map<string, Segment[]>();
  const files: PartitionFiles[] = [];

  return {
    hub(name) {
      const metaFile = path.join(hubDir(root, name), "meta.json");
      if (!fs.existsSync(metaFile)) return undefined;
      let meta: HubMeta;
      try {
        meta = JSON.parse(fs.readFileSync(metaFile, "utf8")) as HubMeta;
      } catch (error) {
        throw corrupt(metaFile, `unreadable (${String(error)})`);
      }
      if (!Number.isSafeInteger(meta.partitions) || meta.partitions < 1 || !Number.isFinite(meta.createdAtMs)) {
        throw corrupt(metaFile, "missing partition count or creation time");
      }
      const partitions: PartitionLogState[] = [];
      for (let i = 0; i < meta.partitions; i++) {
        const dir = path.join(hubDir(root, name), String(i));
        const { state, segments } = readPartition(dir);
        segmentsByPartition.set(dir, segments);
        partitions.push(state);
      }
      return { createdAtMs: meta.createdAtMs, partitions };
    },
    saveHub(name, createdAtMs, partitions) {
      const dir = hubDir(root, name);
      fs.mkdirSync(dir, { recursive: true });
      const meta: HubMeta = { name, createdAtMs, partitions };
      const tmp = path.join(dir, "meta.json.tmp");
      fs.writeFileSync(tmp, JSON.stringify(meta));
      fs.renameSync(tmp, path.join(dir, "meta.json"));
    },
    attach(hubName, log) {
      const dir = path.join(hubDir(root, hubName), log.partitionId);
      const partitionFiles = new PartitionFiles(dir, segmentsByPartition.get(dir) ?? [], segmentBytes);
      files.push(partitionFiles);
      log.persistTo(partitionFiles);
    },
    close() {
      for (const f of files) f.close();
      files.length = 0;
    },
  };
}
