/**
 * The parts of rhea's objects the emulator touches beyond rhea's published typings: the attach frame a link
 * will answer with, and the per-connection frame dispatch. Kept in one place so a rhea upgrade has one file
 * to check.
 */
import type { Connection, link, Sender } from "rhea";

/** Fields of the attach frame rhea sends for a link (it answers a peer's attach with these). */
export interface AttachFields {
  source?: unknown;
  target?: unknown;
  snd_settle_mode?: number;
  rcv_settle_mode?: number;
  max_message_size?: number;
  offered_capabilities?: string[];
  properties?: Record<string, unknown>;
}

/** Remote attach as rhea keeps it. */
export interface RemoteAttach {
  source?: { address?: string; filter?: Record<string, unknown> } | null;
  target?: { address?: string } | null;
  properties?: Record<string, unknown> | null;
  desired_capabilities?: string | string[] | null;
}

interface LinkInternals {
  local: { attach: AttachFields };
  remote: { attach?: RemoteAttach };
}

/** The attach frame this side will send for `l`; edit it before rhea's next tick writes it. */
export function localAttach(l: link): AttachFields {
  return (l as unknown as LinkInternals).local.attach;
}

/** What the peer put in its attach. */
export function remoteAttach(l: link): RemoteAttach {
  return (l as unknown as LinkInternals).remote.attach ?? {};
}

interface Frame {
  channel: number;
  performative: { handle?: number | null; more?: boolean | null };
  payload?: Buffer;
}

interface SessionInternals {
  remote: { handles: Record<number, unknown> };
  [frameHandler: string]: unknown;
}

interface ConnectionInternals {
  remote_channel_map: Record<number, SessionInternals | undefined>;
  _disconnected?: (error?: unknown) => void;
  _process?: () => void;
  output?: () => void;
  [frameHandler: string]: unknown;
}

const SESSION_FRAMES = ["end", "attach", "detach", "transfer", "disposition", "flow"] as const;
const LINK_FRAMES = new Set<string>(["detach", "transfer", "flow"]);

/** Limits applied to incoming frames. */
export interface FrameGuardOptions {
  /** Largest delivery accepted while it is still arriving in several frames. */
  maxDeliveryBytes: number;
  /** Called once when a peer exceeds it; frames after that are dropped. */
  onOversizedDelivery: () => void;
}

/**
 * Filters the frames of a server connection before rhea handles them:
 * - frames for a session or link already ended are ignored: the Event Hubs client sometimes sends a flow or
 *   disposition after ending a session, which rhea treats as a protocol error, dropping the whole connection
 *   (and the client's close() can then hang);
 * - a delivery split over many frames is cut off once it exceeds the limit: rhea would otherwise buffer
 *   whatever size a peer sends before the emulator sees a byte of it.
 */
export function guardIncomingFrames(connection: Connection, options: FrameGuardOptions): void {
  const conn = connection as unknown as ConnectionInternals;
  const partialBytes = new WeakMap<object, number>();
  let discarding = false;
  for (const name of SESSION_FRAMES) {
    const handler = `on_${name}`;
    conn[handler] = (frame: Frame) => {
      if (discarding) return;
      const session = conn.remote_channel_map[frame.channel];
      if (!session) return;
      const handle = frame.performative.handle;
      const link = handle === undefined || handle === null ? undefined : session.remote.handles[handle];
      if (LINK_FRAMES.has(name) && handle !== undefined && handle !== null && !link) return;
      if (name === "transfer" && link) {
        const bytes = (partialBytes.get(link as object) ?? 0) + (frame.payload?.length ?? 0);
        if (frame.performative.more === true) {
          if (bytes > options.maxDeliveryBytes) {
            discarding = true;
            options.onOversizedDelivery();
            return;
          }
          partialBytes.set(link as object, bytes);
        } else {
          partialBytes.delete(link as object);
        }
      }
      (session[handler] as (f: Frame) => void).call(session, frame);
    };
  }
}

/**
 * Refuses frames larger than `max` as soon as their size field arrives (rhea would otherwise buffer all of
 * it); the resulting protocol error closes the connection with a framing error.
 */
export function limitFrameSize(connection: Connection, max: number): void {
  const transport = (connection as unknown as { amqp_transport: { peek_size(buffer: Buffer): number | undefined } })
    .amqp_transport;
  const peek = transport.peek_size;
  transport.peek_size = function peekSize(buffer: Buffer) {
    const size = peek.call(this, buffer);
    if (size !== undefined && size > max) {
      throw new FrameTooLarge(`frame of ${size} bytes exceeds the maximum frame size ${max}`);
    }
    return size;
  };
}

/** A peer sent a frame over the advertised maximum frame size. */
export class FrameTooLarge extends Error {
  override readonly name = "ProtocolError";
}

/**
 * Tells rhea its socket is gone when we destroyed it ourselves (rhea only listens for 'end' and 'error'),
 * so its heartbeat timers stop.
 */
export function markDisconnected(connection: Connection): void {
  const conn = connection as unknown as ConnectionInternals;
  try {
    conn._disconnected?.();
  } catch {
    // rhea may already have torn the connection down; nothing left to stop.
  }
}

/** Produces and writes pending frames now (used to get a close frame out before rhea ends the socket). */
export function flushFrames(connection: Connection): void {
  const conn = connection as unknown as ConnectionInternals;
  conn._process?.();
  conn.output?.();
}

/** Credit the peer gave a sender link. */
export function creditOf(sender: Sender): number {
  return (sender as unknown as { credit: number }).credit;
}
