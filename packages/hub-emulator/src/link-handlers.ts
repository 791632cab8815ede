import rhea, { type Container, type Delivery, type EventContext, type Message, type Receiver, type Sender } from "rhea";
import { audienceHub, parseLinkAddress } from "./addresses.js";
import { AmqpFailure, Condition } from "./amqp-error.js";
import type { ConnectionRegistry } from "./connection-registry.js";
import { startSequenceNumber } from "./event-position.js";
import type { FaultState } from "./faults.js";
import { entityNotFound, type Hub, type HubDirectory } from "./hub.js";
import { errorMessage, logger } from "./logger.js";
import { answerManagement, answerPutToken, type RequestProperties } from "./management.js";
import type { PartitionLog } from "./partition-log.js";
import { PartitionReader } from "./partition-reader.js";
import { decodePublish } from "./publishing.js";
import { readerRequest } from "./reader-request.js";
import { type Reply, sendReply } from "./request-reply.js";
import { creditOf, localAttach, remoteAttach } from "./rhea-internals.js";

/** Credit granted to each publishing link; topped up when half is used. */
const PUBLISH_CREDIT = 1000;

const BUSY = "The server is busy. Please retry the operation (injected fault).";

/** What the link handlers work with. */
export interface LinkService {
  hubs: HubDirectory;
  faults: FaultState;
  registry: ConnectionRegistry;
  clock: () => number;
  maxMessageSize: number;
  /** `sb://host:port`, for entity names in error messages. */
  namespace(): string;
  closed(): boolean;
  /** Runs `action` now, or after the injected latency. */
  later(action: () => void): void;
}

type LinkRole =
  | { kind: "cbs" }
  | { kind: "management" }
  | { kind: "reply" }
  | { kind: "publish"; hub: Hub; partition: PartitionLog | undefined }
  | { kind: "reader"; reader: PartitionReader };

/**
 * Gives every link a client attaches its role — CBS or management requests and their replies, publishing to a
 * hub or partition, reading a partition — and handles its traffic. Registered once on the emulator's rhea
 * container, for all its connections.
 */
export function registerLinkHandlers(container: Container, service: LinkService): void {
  const { hubs, faults, registry, clock, maxMessageSize } = service;
  const roles = new WeakMap<object, LinkRole>();

  function requireHub(name: string): Hub {
    const hub = hubs.get(name);
    if (!hub) throw entityNotFound(`${service.namespace()}/${name}`);
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

  function onReceiverOpen(context: EventContext): void {
    const receiver = context.receiver!;
    const address = parseLinkAddress(remoteAttach(receiver).target?.address);
    try {
      if (service.closed()) throw new AmqpFailure(Condition.connectionForced, "The emulator is shutting down.");
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
    const record = registry.get(context.connection);
    const remote = remoteAttach(sender);
    const address = parseLinkAddress(remote.source?.address);
    try {
      if (service.closed() || !record) {
        throw new AmqpFailure(Condition.connectionForced, "The emulator is shutting down.");
      }
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
      if (!group) {
        throw entityNotFound(`${service.namespace()}/${hub.name}/ConsumerGroups/${address.consumerGroup}`);
      }
      const log = hub.requirePartition(address.partitionId);
      const request = readerRequest(remote);
      log.expire(clock());
      const slot = hub.slot(group, log.partitionId);
      const reader = new PartitionReader(sender, log, slot, {
        name: request.receiverName ?? sender.name,
        epoch: request.epoch,
        startSequenceNumber: startSequenceNumber(log, request.position),
        runtimeMetrics: request.runtimeMetrics,
        clock,
        onClosed: (r) => record.readers.delete(r),
      });
      try {
        slot.admit(reader);
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
      if (request.epoch !== undefined) {
        attach.properties = { "com.microsoft:epoch": rhea.types.wrap_long(request.epoch) };
      }
    } catch (error) {
      refuse(sender, error);
    }
  }

  function answer(context: EventContext, delivery: Delivery, reply: Reply): void {
    const connection = context.connection;
    const request = context.message as Message;
    service.later(() => {
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
      if (faults.takeBusy()) throw new AmqpFailure(Condition.serverBusy, BUSY);
      const batch = decodePublish(payload, format, maxMessageSize);
      const key = batch.partitionKey ?? batch.events[0]?.partitionKey;
      const log = role.partition ?? role.hub.choosePartition(key);
      log.append(batch.events, key, clock());
      service.later(() => {
        if (receiver.is_open()) delivery.accept();
      });
    } catch (error) {
      const failure =
        error instanceof AmqpFailure ? error : new AmqpFailure(Condition.internalError, errorMessage(error));
      if (!(error instanceof AmqpFailure)) logger.error(`publish failed: ${errorMessage(error)}`);
      service.later(() => {
        if (receiver.is_open()) delivery.reject(failure.toAmqp());
      });
    }
  }

  function onMessage(context: EventContext): void {
    const receiver = context.receiver!;
    const delivery = context.delivery!;
    const role = roles.get(receiver);
    try {
      if (!role || service.closed()) {
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
          reply = { status: 503, description: BUSY, errorCondition: Condition.serverBusy };
        } else {
          reply = answerManagement(hubs, props, service.namespace(), clock());
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

  const readerLinkClosed = guarded("sender_close", (context) => {
    const role = context.sender ? roles.get(context.sender) : undefined;
    if (role?.kind === "reader") role.reader.stop();
  });
  const connectionGone = guarded("disconnected", (context) => {
    const record = registry.get(context.connection);
    if (record) registry.forget(record);
  });
  const ignore = () => {};

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
  container.on("sender_close", readerLinkClosed);
  container.on("sender_error", readerLinkClosed);
  container.on(
    "session_close",
    guarded("session_close", (context) => {
      const record = registry.get(context.connection);
      if (record) registry.stopReaders(record, (r) => r.link.session === context.session);
    }),
  );
  container.on("connection_close", connectionGone);
  container.on("disconnected", connectionGone);
  // rhea raises unhandled error events on the container (and throws if nobody listens): every peer-caused
  // error is answered per link or connection above, so these only need listening to.
  for (const event of [
    "receiver_close",
    "receiver_error",
    "session_error",
    "session_open",
    "connection_open",
    "connection_error",
    "settled",
  ]) {
    container.on(event, ignore);
  }
  container.on("error", (error: unknown) => logger.warning(`AMQP error: ${errorMessage(error)}`));
}
