import type { Connection, Message, Sender } from "rhea";
import { remoteAttach } from "./rhea-internals.js";

/** A reply to a `$cbs` or `$management` request. */
export interface Reply {
  status: number;
  description: string;
  /** Set on failures; the client maps it to its error code. */
  errorCondition?: string;
  body?: unknown;
}

/**
 * Finds the link a request/response client listens on: the receiver named like the request's `reply_to`
 * (rhea sees it as our sender), or one whose target address is `reply_to`.
 */
export function replyLink(connection: Connection, replyTo: string): Sender | undefined {
  const matches = (l: Sender) => l.is_open() && (l.name === replyTo || remoteAttach(l).target?.address === replyTo);
  return connection.find_sender(matches) ?? undefined;
}

/** Sends `reply` correlated to `request`; silently dropped when the requester no longer listens. */
export function sendReply(connection: Connection, request: Message, reply: Reply): void {
  const replyTo = typeof request.reply_to === "string" ? request.reply_to : undefined;
  if (!replyTo) return;
  const link = replyLink(connection, replyTo);
  if (!link) return;
  const properties: Record<string, unknown> = {
    "status-code": reply.status,
    "status-description": reply.description,
  };
  if (reply.errorCondition) properties["error-condition"] = reply.errorCondition;
  link.send({
    to: replyTo,
    correlation_id: request.message_id ?? request.correlation_id,
    application_properties: properties,
    body: reply.body,
  });
}
