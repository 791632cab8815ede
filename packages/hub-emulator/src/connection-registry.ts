import type net from "node:net";
import type { Connection } from "rhea";
import type { PartitionReader } from "./partition-reader.js";
import { markDisconnected } from "./rhea-internals.js";

/** One client connection and the readers it has open. */
export interface ConnectionRecord {
  readonly connection: Connection;
  readonly socket: net.Socket;
  readonly readers: Set<PartitionReader>;
  closed: boolean;
}

/** One live client connection, as the emulator sees it (for tests of client settings). */
export interface EmulatorClient {
  /** The `user-agent` the client sent in its AMQP open frame, if any. */
  readonly userAgent: string | undefined;
  /** The names of its open partition readers (the client's `identifier`, or the link name). */
  readonly readerNames: string[];
}

/** The live client connections, so readers stop when their connection goes and faults can cut sockets. */
export class ConnectionRegistry {
  private readonly records = new Map<Connection, ConnectionRecord>();

  /** Registers a freshly accepted connection. */
  add(connection: Connection, socket: net.Socket): ConnectionRecord {
    const record: ConnectionRecord = { connection, socket, readers: new Set(), closed: false };
    this.records.set(connection, record);
    return record;
  }

  /** The record of a connection still registered. */
  get(connection: Connection): ConnectionRecord | undefined {
    return this.records.get(connection);
  }

  /** Stops the readers of `record` that `match` selects (all when omitted). */
  stopReaders(record: ConnectionRecord, match?: (reader: PartitionReader) => boolean): void {
    for (const reader of [...record.readers]) {
      if (!match || match(reader)) reader.stop();
    }
  }

  /** Forgets a connection that went away, stopping its readers. Idempotent. */
  forget(record: ConnectionRecord): void {
    if (record.closed) return;
    record.closed = true;
    this.stopReaders(record);
    this.records.delete(record.connection);
  }

  /** What each live client said about itself: its user agent and the names of its open readers. */
  clients(): EmulatorClient[] {
    return [...this.records.values()].map((record) => {
      const properties = (record.connection as unknown as { remote?: { open?: { properties?: unknown } } }).remote?.open
        ?.properties as Record<string, unknown> | undefined;
      const userAgent = properties?.["user-agent"];
      return {
        userAgent: typeof userAgent === "string" ? userAgent : undefined,
        readerNames: [...record.readers].map((r) => r.name),
      };
    });
  }

  /** Destroys every socket (no AMQP close). Returns how many there were. */
  destroyAll(): number {
    const all = [...this.records.values()];
    for (const record of all) {
      this.forget(record);
      record.socket.destroy();
      markDisconnected(record.connection);
    }
    return all.length;
  }
}
