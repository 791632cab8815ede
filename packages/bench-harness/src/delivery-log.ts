import { closeSync, openSync, readSync, writeSync } from "node:fs";

/** One line of a worker's delivery log. Times are `Date.now()` of the worker (all processes share the clock). */
export type LogRecord =
  /** The worker called start (eph `startNonBlocking`, official `subscribe`). */
  | { readonly k: "S"; readonly t: number }
  /** An event was handled. */
  | { readonly k: "E"; readonly p: string; readonly seq: number; readonly epoch: number; readonly t: number }
  /** The worker started reading a partition. */
  | { readonly k: "O"; readonly p: string; readonly epoch: number; readonly t: number }
  /** The worker stopped reading a partition. */
  | { readonly k: "C"; readonly p: string; readonly epoch: number; readonly reason: string; readonly t: number }
  /** eph only: a lease was acquired (it may be read later, after the previous owner's handoff). */
  | { readonly k: "A"; readonly p: string; readonly t: number }
  /**
   * A checkpoint write: `t0` when it was started, `t` when it settled, `result` `ok` or the error code.
   */
  | {
      readonly k: "K";
      readonly p: string;
      readonly seq: number;
      readonly epoch: number;
      readonly t0: number;
      readonly t: number;
      readonly result: string;
    }
  /** An error the host reported. */
  | { readonly k: "X"; readonly op: string; readonly p: string; readonly t: number; readonly message: string };

function line(r: LogRecord): string {
  switch (r.k) {
    case "S":
      return `S,${r.t}\n`;
    case "E":
      return `E,${r.p},${r.seq},${r.epoch},${r.t}\n`;
    case "O":
      return `O,${r.p},${r.epoch},${r.t}\n`;
    case "C":
      return `C,${r.p},${r.epoch},${r.reason},${r.t}\n`;
    case "A":
      return `A,${r.p},${r.t}\n`;
    case "K":
      return `K,${r.p},${r.seq},${r.epoch},${r.t0},${r.t},${r.result}\n`;
    case "X":
      return `X,${r.op},${r.p},${r.t},${r.message.replace(/[\r\n]+/g, " ")}\n`;
  }
}

function parse(text: string): LogRecord | undefined {
  const f = text.split(",");
  const n = (i: number) => Number(f[i]);
  switch (f[0]) {
    case "S":
      return { k: "S", t: n(1) };
    case "E":
      return { k: "E", p: f[1]!, seq: n(2), epoch: n(3), t: n(4) };
    case "O":
      return { k: "O", p: f[1]!, epoch: n(2), t: n(3) };
    case "C":
      return { k: "C", p: f[1]!, epoch: n(2), reason: f[3]!, t: n(4) };
    case "A":
      return { k: "A", p: f[1]!, t: n(2) };
    case "K":
      return { k: "K", p: f[1]!, seq: n(2), epoch: n(3), t0: n(4), t: n(5), result: f[6]! };
    case "X":
      return { k: "X", op: f[1]!, p: f[2]!, t: n(3), message: f.slice(4).join(",") };
    default:
      return undefined;
  }
}

/**
 * Appends records to a file with one `write(2)` each, before the caller goes on: once a handler returns,
 * its record is in the kernel and survives a SIGKILL of the process.
 */
export class DeliveryLogWriter {
  private readonly fd: number;

  constructor(path: string) {
    this.fd = openSync(path, "a");
  }

  /** Appends one record. */
  write(record: LogRecord): void {
    writeSync(this.fd, line(record));
  }

  /** Closes the file. */
  close(): void {
    closeSync(this.fd);
  }
}

/** Reads a delivery log as it grows: each `read()` returns the complete lines appended since the last. */
export class DeliveryLogReader {
  private offset = 0;
  private partial: Buffer = Buffer.alloc(0);
  private readonly buffer = Buffer.alloc(1 << 20);

  constructor(readonly path: string) {}

  /** The records appended since the previous call. */
  read(): LogRecord[] {
    let fd: number;
    try {
      fd = openSync(this.path, "r");
    } catch {
      return [];
    }
    const out: LogRecord[] = [];
    try {
      for (;;) {
        const n = readSync(fd, this.buffer, 0, this.buffer.length, this.offset);
        if (n === 0) break;
        this.offset += n;
        // Split on the last newline byte, so a character cut by the read boundary is never decoded in halves.
        const bytes = Buffer.concat([this.partial, this.buffer.subarray(0, n)]);
        const end = bytes.lastIndexOf(10);
        this.partial = Buffer.from(bytes.subarray(end + 1));
        if (end < 0) continue;
        for (const l of bytes.toString("utf8", 0, end).split("\n")) {
          const r = parse(l);
          if (r) out.push(r);
        }
      }
    } finally {
      closeSync(fd);
    }
    return out;
  }
}
