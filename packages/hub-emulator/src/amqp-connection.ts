import type net from "node:net";
import type { Connection, Container } from "rhea";
import { Condition } from "./amqp-error.js";
import type { ConnectionRegistry } from "./connection-registry.js";
import { coalesceFrameWrites } from "./frame-writer.js";
import { errorMessage, logger } from "./logger.js";
import { flushFrames, guardIncomingFrames, limitFrameSize, markDisconnected } from "./rhea-internals.js";

/**
 * Largest frame accepted (and advertised in our open frame, so clients split bigger deliveries): rhea buffers
 * a whole frame before looking at it, so this bounds what one peer can make the emulator hold.
 */
export const MAX_FRAME_SIZE = 256 * 1024;

interface ConnectionFactory {
  create_connection(options: object): Connection;
}

interface Acceptor {
  accept(socket: net.Socket): void;
}

/**
 * Serves one accepted socket as an AMQP connection of `container`: bounded frames and deliveries, late frames
 * ignored, protocol errors answered with an AMQP close, writes coalesced, and the connection registered
 * until its socket closes.
 */
export function acceptAmqpConnection(
  container: Container,
  socket: net.Socket,
  registry: ConnectionRegistry,
  maxMessageSize: number,
): void {
  socket.setNoDelay(true);
  const connection = (container as unknown as ConnectionFactory).create_connection({
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
  const record = registry.add(connection, socket);
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
    registry.forget(record);
    markDisconnected(connection);
  });
  (connection as unknown as Acceptor).accept(socket);
}
