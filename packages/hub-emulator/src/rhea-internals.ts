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
  performative: { handle?: number | null };
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

/**
 * Makes a server connection ignore frames that arrive for a session or link it has already ended.
 * The Event Hubs client sometimes sends a flow or disposition after ending a session; rhea treats that as a
 * protocol error and drops the whole connection (and the client's close() can then hang).
 */
export function ignoreLateFrames(connection: Connection): void {
  const conn = connection as unknown as ConnectionInternals;
  for (const name of SESSION_FRAMES) {
    const handler = `on_${name}`;
    conn[handler] = (frame: Frame) => {
      const session = conn.remote_channel_map[frame.channel];
      if (!session) return;
      const handle = frame.performative.handle;
      if (LINK_FRAMES.has(name) && handle !== undefined && handle !== null && !session.remote.handles[handle]) return;
      (session[handler] as (f: Frame) => void).call(session, frame);
    };
  }
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
