import net from "node:net";
import { createClientLogger } from "@azure/logger";
import rhea, {
  type Connection,
  type Delivery,
  type EventContext,
  type Message,
  type Receiver,
  type Sender,
} from "rhea";
import { audienceHub, parseLinkAddress } from "./addresses.js";
import { AmqpFailure, Condition } from "./amqp-error.js";
import { emulatorConnectionString } from "./connection-string.js";
import { type DurableStore, openDurableStore } from "./durable-store.js";
import { HubEmulatorError } from "./errors.js";
import { startSequenceNumber } from "./event-position.js";
import { type EmulatorFaults, FaultState } from "./faults.js";
import { coalesceFrameWrites } from "./frame-writer.js";
import { entityNotFound, Hub, HubDirectory } from "./hub.js";
import { answerManagement, answerPutToken, type RequestProperties } from "./management.js";
import {
  DEFAULT_MAX_MESSAGE_SIZE,
  type EmulatorOptions,
  resolveHubs,
  validConsumerGroupName,
  validPartitionCount,
} from "./options.js";
import type { PartitionLog } from "./partition-log.js";
import { PartitionReader } from "./partition-reader.js";
import { decodePublish } from "./publishing.js";
import { readerRequest } from "./reader-request.js";
import { type Reply, sendReply } from "./request-reply.js";
import {
  creditOf,
  flushFrames,
  guardIncomingFrames,
  limitFrameSize,
  localAttach,
  markDisconnected,
  remoteAttach,
} from "./rhea-internals.js";

const logger = createClientLogger("eph:hub-emulator");

/**
 * Largest frame accepted (and advertised in our open frame, so clients split bigger deliveries): rhea buffers
 * a whole frame before looking at it, so this bounds what one peer can make the emulator hold.
 */
const MAX_FRAME_SIZE = 256 * 1024;

/** Credit granted to each publishing link; topped up when half is used. */
const PUBLISH_CREDIT = 1000;

/** Occupancy of one partition, for tests and benchmarks. */
export interface PartitionStats {
  beginSequenceNumber: number;
  lastSequenceNumber: number;
  retainedEvents: number;
  retainedBytes: number;
}

/** A running emulator. */
export interface Emulator {
  /** Interface it listens on. */
  readonly host: string;
  /** Port it listens on (the real one when 0 was asked). */
  readonly port: number;
  /** Names of the hubs, as configured. */
  readonly hubNames: string[];
  /** Connection string for `hub`, for EventHubProducerClient / EventHubConsumerClient. */
  connectionString(hub: string): string;
  /** Adds `count` partitions to `hub` at runtime; returns the new partition ids. */
  addPartitions(hub: string, count: number): string[];
  /** Adds a consumer group to `hub` at runtime (no-op if it exists). */
  addConsumerGroup(hub: string, consumerGroup: string): void;
  /** Retention state of a partition. */
  partitionStats(hub: string, partitionId: string): PartitionStats;
  /** Fault injection for reliability tests. */
  readonly faults: EmulatorFaults;
  /** Stops listening, drops every client connection and releases everything. Resolves promptly. */
  close(): Promise<void>;
}

type LinkRole =
  | { kind: "cbs" }
  | { kind: "management" }
  | { kind: "reply" }
  | { kind: "publish"; hub: Hub; partition: PartitionLog | undefined }
  | { kind: "reader"; reader: PartitionReader };

interface ConnectionRecord {
  connection: Connection;
  socket: net.Socket;
  readers: Set<PartitionReader>;
  closed: boolean;
}

interface ConnectionAccept {
  accept(socket: net.Socket): void;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Starts an Event Hubs emulator listening for AMQP 1.0 on `host:port`. The real `@azure/event-hubs` client
 * talks to it through the connection strings it hands out.
 */
export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const specs = resolveHubs(options);
  const host = options.host ?? "127.0.0.1";
  const requestedPort = options.port ?? 0;
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
    throw new HubEmulatorError(
      "InvalidOptions",
      `options.port must be an integer 0-65535, got ${String(requestedPort)}`,
    );
  }
  const maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  if (!Number.isSafeInteger(maxMessageSize) || maxMessageSize < 1) {
    throw new HubEmulatorError("InvalidOptions", `options.maxMessageSize must be a positive integer`);
  }
  const clock = options.clock ?? Date.now;
  const store: DurableStore | undefined = options.dataDir ? await openDurableStore(options.dataDir) : undefined;

  const hubs = new HubDirectory();
  try {
    for (const spec of specs) {
      const saved = store?.hub(spec.name);
      const hub = new Hub(spec, saved?.createdAtMs ?? clock(), saved?.partitions ?? [], (log) =>
        store?.attach(spec.name, log),
      );
      store?.saveHub(hub.name, hub.createdAtMs, hub.partitions.length);
      hubs.add(hub);
    }
  } catch (error) {
    store?.close();
    throw error;
  }

  const faults = new FaultState();
  const roles = new WeakMap<object, LinkRole>();
  const records = new Map<Connection, ConnectionRecord>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  let namespace = "";

  // Publishes are settled by hand (after decoding, possibly after injected latency) and credit is granted
  // by hand, so rhea's automatic accept and credit window are off.
  const container = rhea.create_container({
    id: "eph-hub-emulator",
    receiver_options: { autoaccept: false, credit_window: 0 },
  });

  function later(action: () => void): void {
    if (faults.latencyMs <= 0) {
      action();
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closed) action();
    }, faults.latencyMs);
    timers.add(timer);
  }

  function requireHub(name: string): Hub {
    const hub = hubs.get(name);
    if (!hub) throw entityNotFound(`${namespace}/${name}`);
    return hub;
  }

  function refuse(link: Sender | Receiver, error: unknown): void {
    const failure =
      error instanceof AmqpFailure ? error : new AmqpFailure(Condition.internalError, errorMessage(error));
    const attach = localAttach(link);
    // A refused attach answers with a null terminus on our side, then detaches with the reason.
    if (link.is_sender()) attach.source = undefined;
    else attach.target = undefined;
    logger.info(`refusing link ${link.name}: ${failure.condition} ${failure.message}`);
    link.close(failure.toAmqp());
  }

  function echoTermini(link: Sender | Receiver): void {
    const remote = remoteAttach(link);
    // Undefined fields encode as null, which is what an absent address means in AMQP.
    if (remote.source) {
      link.set_source({ address: remote.source.address as string, filter: remote.source.filter ?? undefined });
    }
    if (remote.target) link.set_target({ address: remote.target.address as string });
  }

  function stopReaders(record: ConnectionRecord, match?: (reader: PartitionReader) => boolean): void {
    for (const reader of [...record.readers]) {
      if (!match || match(reader)) reader.stop();
    }
  }

  function forget(record: ConnectionRecord): void {
    if (record.closed) return;
    record.closed = true;
    stopReaders(record);
    records.delete(record.connection);
  }

  function onReceiverOpen(context: EventContext): void {
    const receiver = context.receiver!;
    const address = parseLinkAddress(remoteAttach(receiver).target?.address);
    try {
      if (closed) throw new AmqpFailure(Condition.connectionForced, "The emulator is shutting down.");
      echoTermini(receiver);
      switch (address.kind) {
        case "cbs":
          roles.set(receiver, { kind: "cbs" });
          break;
        case "management":
          roles.set(receiver, { kind: "management" });
          break;
        case "hub":
          roles.set(receiver, { kind: "publish", hub: requireHub(address.hub), partition: undefined });
          localAttach(receiver).max_message_size = maxMessageSize;
          break;
        case "partition": {
          const hub = requireHub(address.hub);
          roles.set(receiver, { kind: "publish", hub, partition: hub.requirePartition(address.partitionId) });
          localAttach(receiver).max_message_size = maxMessageSize;
          break;
        }
        default:
          throw new AmqpFailure(
            Condition.notFound,
            `The address '${remoteAttach(receiver).target?.address}' cannot be sent to.`,
          );
      }
      receiver.add_credit(PUBLISH_CREDIT);
    } catch (error) {
      refuse(receiver, error);
    }
  }

  function onSenderOpen(context: EventContext): void {
    const sender = context.sender!;
    const record = records.get(context.connection);
    const remote = remoteAttach(sender);
    const address = parseLinkAddress(remote.source?.address);
    try {
      if (closed || !record) throw new AmqpFailure(Condition.connectionForced, "The emulator is shutting down.");
      echoTermini(sender);
      if (address.kind === "cbs" || address.kind === "management") {
        roles.set(sender, { kind: "reply" });
        return;
      }
      if (address.kind !== "consumerPartition") {
        throw new AmqpFailure(Condition.notFound, `The address '${remote.source?.address}' cannot be received from.`);
      }
      const hub = requireHub(address.hub);
      const group = hub.consumerGroup(address.consumerGroup);
      if (!group) throw entityNotFound(`${namespace}/${hub.name}/ConsumerGroups/${address.consumerGroup}`);
      const log = hub.requirePartition(address.partitionId);
      const request = readerRequest(remote);
      log.expire(clock());
      const reader = new PartitionReader(sender, log, hub.slot(group, log.partitionId), {
        name: request.receiverName ?? sender.name,
        epoch: request.epoch,
        startSequenceNumber: startSequenceNumber(log, request.position),
        runtimeMetrics: request.runtimeMetrics,
        clock,
        onClosed: (r) => record.readers.delete(r),
      });
      try {
        hub.slot(group, log.partitionId).admit(reader);
      } catch (error) {
        reader.stop();
        throw error;
      }
      record.readers.add(reader);
      roles.set(sender, { kind: "reader", reader });
      const attach = localAttach(sender);
      // Deliveries go out settled: the receiver's acknowledgements would be ignored anyway (Event Hubs
      // readers track their position themselves), and it saves a disposition frame per event.
      attach.snd_settle_mode = 1;
      if (request.runtimeMetrics) attach.offered_capabilities = ["com.microsoft:enable-receiver-runtime-metric"];
      if (request.epoch !== undefined)
        attach.properties = { "com.microsoft:epoch": rhea.types.wrap_long(request.epoch) };
    } catch (error) {
      refuse(sender, error);
    }
  }

  function answer(context: EventContext, delivery: Delivery, reply: Reply): void {
    const connection = context.connection;
    const request = context.message as Message;
    later(() => {
      try {
        sendReply(connection, request, reply);
      } catch (error) {
        logger.warning(`could not send a reply: ${errorMessage(error)}`);
      }
    });
    delivery.accept();
  }

  function topUpCredit(receiver: Receiver): void {
    const credit = creditOf(receiver as unknown as Sender);
    if (credit < PUBLISH_CREDIT / 2) receiver.add_credit(PUBLISH_CREDIT - credit);
  }

  function onPublish(
    receiver: Receiver,
    delivery: Delivery,
    role: { hub: Hub; partition: PartitionLog | undefined },
    payload: unknown,
    format: number | undefined,
  ): void {
    try {
      if (faults.takeBusy()) {
        throw new AmqpFailure(Condition.serverBusy, "The server is busy. Please retry the operation (injected fault).");
      }
      const batch = decodePublish(payload, format, maxMessageSize);
      const key = batch.partitionKey ?? batch.events[0]?.partitionKey;
      const log = role.partition ?? role.hub.choosePartition(key);
      log.append(batch.events, key, clock());
      later(() => {
        if (receiver.is_open()) delivery.accept();
      });
    } catch (error) {
      const failure =
        error instanceof AmqpFailure ? error : new AmqpFailure(Condition.internalError, errorMessage(error));
      if (!(error instanceof AmqpFailure)) logger.error(`publish failed: ${errorMessage(error)}`);
      later(() => {
        if (receiver.is_open()) delivery.reject(failure.toAmqp());
      });
    }
  }

  function onMessage(context: EventContext): void {
    const receiver = context.receiver!;
    const delivery = context.delivery!;
    const role = roles.get(receiver);
    try {
      if (!role || closed) {
        delivery.reject({ condition: Condition.notAllowed, description: "The link does not accept messages." });
        return;
      }
      if (role.kind === "publish") {
        onPublish(receiver, delivery, role, context.message, (context as { format?: number }).format);
      } else if (role.kind === "cbs" || role.kind === "management") {
        const request = context.message as Message;
        const props = (request.application_properties ?? {}) as RequestProperties;
        let reply: Reply;
        if (role.kind === "cbs") {
          reply = answerPutToken(hubs, props, audienceHub(String(props.name ?? "")));
        } else if (faults.takeBusy()) {
          reply = {
            status: 503,
            description: "The server is busy. Please retry the operation (injected fault).",
            errorCondition: Condition.serverBusy,
          };
        } else {
          reply = answerManagement(hubs, props, namespace, clock());
        }
        answer(context, delivery, reply);
      }
    } catch (error) {
      logger.error(`failed to handle a message: ${errorMessage(error)}`);
      delivery.reject({ condition: Condition.internalError, description: errorMessage(error) });
    } finally {
      if (receiver.is_open()) topUpCredit(receiver);
    }
  }

  function guarded(name: string, handler: (context: EventContext) => void) {
    return (context: EventContext) => {
      try {
        handler(context);
      } catch (error) {
        // A bug here must cost at most this connection, never the process.
        logger.error(`${name} handler failed: ${errorMessage(error)}`);
        try {
          context.connection.close({ condition: Condition.internalError, description: errorMessage(error) });
        } catch {
          // The connection may already be gone.
        }
      }
    };
  }

  container.on("receiver_open", guarded("receiver_open", onReceiverOpen));
  container.on("sender_open", guarded("sender_open", onSenderOpen));
  container.on("message", guarded("message", onMessage));
  container.on(
    "sendable",
    guarded("sendable", (context) => {
      const role = roles.get(context.sender!);
      if (role?.kind === "reader") role.reader.pump();
    }),
  );
  const linkClosed = guarded("link_close", (context) => {
    const link = context.sender;
    if (!link) return;
    const role = roles.get(link);
    if (role?.kind === "reader") role.reader.stop();
  });
  container.on("sender_close", linkClosed);
  container.on("sender_error", linkClosed);
  container.on("receiver_close", () => {});
  container.on("receiver_error", () => {});
  container.on(
    "session_close",
    guarded("session_close", (context) => {
      const record = records.get(context.connection);
      if (record) stopReaders(record, (r) => r.link.session === context.session);
    }),
  );
  container.on("session_error", () => {});
  container.on("session_open", () => {});
  container.on("connection_open", () => {});
  const connectionGone = (context: EventContext) => {
    const record = records.get(context.connection);
    if (record) forget(record);
  };
  container.on("connection_close", connectionGone);
  container.on("connection_error", () => {});
  container.on("disconnected", connectionGone);
  container.on("settled", () => {});
  container.on("error", (error: unknown) => logger.warning(`AMQP error: ${errorMessage(error)}`));

  const server = net.createServer((socket) => {
    if (closed) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const connection = (container as unknown as { create_connection(o: object): Connection }).create_connection({
      reconnect: false,
      max_frame_size: MAX_FRAME_SIZE,
    });
    limitFrameSize(connection, MAX_FRAME_SIZE);
    guardIncomingFrames(connection, {
      // The envelope adds a little to the events it carries; anything far beyond the limit is abuse.
      maxDeliveryBytes: 2 * maxMessageSize,
      onOversizedDelivery: () => {
        logger.warning("closing a connection that sent a delivery far over the message size limit");
        connection.close({
          condition: Condition.messageSizeExceeded,
          description: `A delivery exceeded ${maxMessageSize} bytes while still arriving; the connection is closed.`,
        });
      },
    });
    coalesceFrameWrites(connection);
    const record: ConnectionRecord = { connection, socket, readers: new Set(), closed: false };
    records.set(connection, record);
    const protocolFailure = (error: unknown) => {
      // rhea ends the socket right after this event; get an AMQP close with the reason out first.
      logger.warning(`closing a connection after a protocol error: ${errorMessage(error)}`);
      try {
        // Before the peer's open we have not opened either; AMQP wants an open before the close.
        connection.open();
        connection.close({ condition: Condition.framingError, description: errorMessage(error) });
        flushFrames(connection);
      } catch {
        // Nothing more can be said to this peer.
      }
    };
    connection.on("protocol_error", protocolFailure);
    connection.on("error", protocolFailure);
    socket.on("close", () => {
      forget(record);
      markDisconnected(connection);
    });
    (connection as unknown as ConnectionAccept).accept(socket);
  });
  server.on("error", (error) => logger.error(`listener error: ${errorMessage(error)}`));

  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error) => {
      store?.close();
      reject(
        new HubEmulatorError("InvalidOptions", `cannot listen on ${host}:${requestedPort}: ${error.message}`, {
          cause: error,
        }),
      );
    };
    server.once("error", failed);
    server.listen(requestedPort, host, () => {
      server.off("error", failed);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;
  const clientHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  namespace = `sb://${clientHost.includes(":") ? `[${clientHost}]` : clientHost}:${port}`;
  logger.info(
    `listening on ${host}:${port} with hubs ${hubs
      .all()
      .map((h) => h.name)
      .join(", ")}`,
  );

  function hubOrThrow(name: string): Hub {
    const hub = hubs.get(name);
    if (!hub)
      throw new HubEmulatorError("UnknownHub", `no hub named "${name}"; known: ${emulator.hubNames.join(", ")}`);
    return hub;
  }

  const faultApi: EmulatorFaults = {
    stealReceivers(hubName, partitionId, consumerGroup) {
      const hub = hubOrThrow(hubName);
      let count = 0;
      for (const slot of hub.slotsMatching(partitionId, consumerGroup)) {
        count += slot.disconnectAll(
          Condition.linkStolen,
          "The receiver was disconnected by the emulator (injected fault).",
        );
      }
      return count;
    },
    dropConnections() {
      const all = [...records.values()];
      for (const record of all) {
        forget(record);
        record.socket.destroy();
      }
      return all.length;
    },
    serverBusy(count = 1) {
      if (!Number.isInteger(count) || count < 0) {
        throw new HubEmulatorError("InvalidOptions", `serverBusy count must be a non-negative integer, got ${count}`);
      }
      faults.busyRemaining = count;
    },
    setLatency(ms) {
      if (!Number.isFinite(ms) || ms < 0) {
        throw new HubEmulatorError(
          "InvalidOptions",
          `latency must be a non-negative number of milliseconds, got ${ms}`,
        );
      }
      faults.latencyMs = ms;
    },
    clear() {
      faults.latencyMs = 0;
      faults.busyRemaining = 0;
    },
  };

  const emulator: Emulator = {
    host,
    port,
    get hubNames() {
      return hubs.all().map((h) => h.name);
    },
    connectionString(hubName) {
      return emulatorConnectionString(clientHost, port, hubOrThrow(hubName).name);
    },
    addPartitions(hubName, count) {
      const hub = hubOrThrow(hubName);
      validPartitionCount(hub.partitions.length + validPartitionCount(count, "count"), "resulting partition count");
      const added = hub.addPartitions(count);
      store?.saveHub(hub.name, hub.createdAtMs, hub.partitions.length);
      return added;
    },
    addConsumerGroup(hubName, consumerGroup) {
      const hub = hubOrThrow(hubName);
      hub.addConsumerGroup(validConsumerGroupName(consumerGroup, hub.name));
    },
    partitionStats(hubName, partitionId) {
      const log = hubOrThrow(hubName).partition(partitionId);
      if (!log) throw new HubEmulatorError("UnknownPartition", `hub "${hubName}" has no partition "${partitionId}"`);
      log.expire(clock());
      return {
        beginSequenceNumber: log.beginSequenceNumber,
        lastSequenceNumber: log.lastSequenceNumber,
        retainedEvents: log.retainedCount,
        retainedBytes: log.retainedBytes,
      };
    },
    faults: faultApi,
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const record of [...records.values()]) {
        forget(record);
        record.socket.destroy();
        markDisconnected(record.connection);
      }
      await serverClosed;
      store?.close();
      logger.info(`closed ${host}:${port}`);
    },
  };
  return emulator;
}
