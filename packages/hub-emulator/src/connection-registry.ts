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
