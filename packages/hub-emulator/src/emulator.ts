import net from "node:net";
import rhea from "rhea";
import { acceptAmqpConnection } from "./amqp-connection.js";
import { ConnectionRegistry, type EmulatorClient } from "./connection-registry.js";
import { emulatorConnectionString } from "./connection-string.js";
import { type DurableStore, openDurableStore } from "./durable-store.js";
import { HubEmulatorError } from "./errors.js";
import { createFaultApi, type EmulatorFaults, FaultState } from "./faults.js";
import { Hub, HubDirectory } from "./hub.js";
import { registerLinkHandlers } from "./link-handlers.js";
import { errorMessage, logger } from "./logger.js";
import {
  DEFAULT_MAX_MESSAGE_SIZE,
  type EmulatorOptions,
  type ResolvedHub,
  resolveHubs,
  validConsumerGroupName,
  validPartitionCount,
} from "./options.js";

/** Occupancy of one partition, for tests and benchmarks. */
export interface PartitionStats {
  /** Sequence number of the oldest retained event (the next one to be written when none is retained). */
  beginSequenceNumber: number;
  /** Sequence number of the newest event ever written, -1 when none. */
  lastSequenceNumber: number;
  /** Events currently retained. */
  retainedEvents: number;
  /** Bytes of the retained events as stored (with their service annotations). */
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
  /** The live client connections: user agent and reader names (what a client's options look like on the wire). */
  clients(): EmulatorClient[];
  /** Fault injection for reliability tests. */
  readonly faults: EmulatorFaults;
  /** Stops listening, drops every client connection and releases everything. Resolves promptly. */
  close(): Promise<void>;
}

function validPort(port: unknown): number {
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new HubEmulatorError("InvalidOptions", `options.port must be an integer 0-65535, got ${String(port)}`);
  }
  return port;
}

function loadHubs(specs: ResolvedHub[], store: DurableStore | undefined, clock: () => number): HubDirectory {
  const hubs = new HubDirectory();
  for (const spec of specs) {
    const saved = store?.hub(spec.name);
    const hub = new Hub(spec, saved?.createdAtMs ?? clock(), saved?.partitions ?? [], (log) =>
      store?.attach(spec.name, log),
    );
    store?.saveHub(hub.name, hub.createdAtMs, hub.partitions.length);
    hubs.add(hub);
  }
  return hubs;
}

function listen(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const failed = (error: Error) => {
      reject(
        new HubEmulatorError("InvalidOptions", `cannot listen on ${host}:${port}: ${error.message}`, { cause: error }),
      );
    };
    server.once("error", failed);
    server.listen(port, host, () => {
      server.off("error", failed);
      resolve();
    });
  });
}

/**
 * Starts an Event Hubs emulator listening for AMQP 1.0 on `host:port`. The real `@azure/event-hubs` client
 * talks to it through the connection strings it hands out.
 */
export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const specs = resolveHubs(options);
  const host = options.host ?? "127.0.0.1";
  const requestedPort = validPort(options.port ?? 0);
  const maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  if (!Number.isSafeInteger(maxMessageSize) || maxMessageSize < 1) {
    throw new HubEmulatorError("InvalidOptions", "options.maxMessageSize must be a positive integer");
  }
  const clock = options.clock ?? Date.now;
  const store = options.dataDir ? await openDurableStore(options.dataDir) : undefined;
  let hubs: HubDirectory;
  try {
    hubs = loadHubs(specs, store, clock);
  } catch (error) {
    store?.close();
    throw error;
  }

  const faults = new FaultState();
  const registry = new ConnectionRegistry();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  let namespace = "";

  // Publishes are settled by hand (after decoding, possibly after injected latency) and credit is granted
  // by hand, so rhea's automatic accept and credit window are off.
  const container = rhea.create_container({
    id: "eph-hub-emulator",
    receiver_options: { autoaccept: false, credit_window: 0 },
  });
  registerLinkHandlers(container, {
    hubs,
    faults,
    registry,
    clock,
    maxMessageSize,
    namespace: () => namespace,
    closed: () => closed,
    later(action) {
      if (faults.latencyMs <= 0) {
        action();
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!closed) action();
      }, faults.latencyMs);
      timers.add(timer);
    },
  });

  const server = net.createServer((socket) => {
    if (closed) socket.destroy();
    else acceptAmqpConnection(container, socket, registry, maxMessageSize);
  });
  try {
    await listen(server, requestedPort, host);
  } catch (error) {
    store?.close();
    throw error;
  }
  server.on("error", (error) => logger.error(`listener error: ${errorMessage(error)}`));
  const port = (server.address() as net.AddressInfo).port;
  // Clients cannot connect to a wildcard address; hand out loopback for those.
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
    if (!hub) {
      const known = hubs
        .all()
        .map((h) => h.name)
        .join(", ");
      throw new HubEmulatorError("UnknownHub", `no hub named "${name}"; known: ${known}`);
    }
    return hub;
  }

  return {
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
    clients: () => registry.clients(),
    faults: createFaultApi({ state: faults, hub: hubOrThrow, destroyConnections: () => registry.destroyAll() }),
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      registry.destroyAll();
      await serverClosed;
      store?.close();
      logger.info(`closed ${host}:${port}`);
    },
  };
}
