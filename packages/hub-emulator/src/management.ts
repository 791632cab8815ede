import rhea from "rhea";

const { types } = rhea;

import { AmqpFailure, Condition } from "./amqp-error.js";
import { entityNotFound, type HubDirectory } from "./hub.js";
import type { Reply } from "./request-reply.js";

/** Request application properties of `$management` and `$cbs` requests, as received. */
export type RequestProperties = Record<string, unknown>;

function failure(error: AmqpFailure): Reply {
  const status =
    error.condition === Condition.notFound
      ? 404
      : error.condition === Condition.notImplemented
        ? 501
        : error.condition === Condition.serverBusy
          ? 503
          : 400;
  return { status, description: error.message, errorCondition: error.condition };
}

/**
 * Answers a `$management` READ for `com.microsoft:eventhub` (hub properties) or `com.microsoft:partition`
 * (partition properties), with the body fields and types the Event Hubs service uses.
 */
export function answerManagement(
  hubs: HubDirectory,
  props: RequestProperties,
  namespace: string,
  nowMs: number,
): Reply {
  try {
    if (props.operation !== "READ") {
      throw new AmqpFailure(Condition.notImplemented, `The operation '${String(props.operation)}' is not supported.`);
    }
    const name = typeof props.name === "string" ? props.name : "";
    const hub = hubs.get(name);
    if (!hub) throw entityNotFound(`${namespace}/${name}`);
    if (props.type === "com.microsoft:eventhub") {
      return {
        status: 200,
        description: "OK",
        body: {
          name: hub.name,
          type: "com.microsoft:eventhub",
          created_at: new Date(hub.createdAtMs),
          partition_count: types.wrap_int(hub.partitions.length),
          partition_ids: hub.partitionIds,
        },
      };
    }
    if (props.type === "com.microsoft:partition") {
      const log = hub.requirePartition(String(props.partition ?? ""));
      log.expire(nowMs);
      const last = log.lastEnqueued;
      return {
        status: 200,
        description: "OK",
        body: {
          name: hub.name,
          type: "com.microsoft:partition",
          partition: log.partitionId,
          begin_sequence_number: types.wrap_long(log.beginSequenceNumber),
          last_enqueued_sequence_number: types.wrap_long(log.lastSequenceNumber),
          last_enqueued_offset: String(last?.offset ?? -1),
          last_enqueued_time_utc: new Date(last?.enqueuedTimeMs ?? 0),
          is_partition_empty: log.retainedCount === 0,
        },
      };
    }
    throw new AmqpFailure(Condition.argumentError, `The entity type '${String(props.type)}' is not supported.`);
  } catch (error) {
    if (error instanceof AmqpFailure) return failure(error);
    throw error;
  }
}

/** Answers a CBS put-token: accepted when the audience names the namespace or a known hub. */
export function answerPutToken(hubs: HubDirectory, props: RequestProperties, audienceHub: string | undefined): Reply {
  if (props.operation !== "put-token") {
    return failure(
      new AmqpFailure(Condition.notImplemented, `The CBS operation '${String(props.operation)}' is not supported.`),
    );
  }
  const audience = String(props.name ?? "");
  if (audienceHub === undefined) {
    return failure(new AmqpFailure(Condition.argumentError, `The token audience '${audience}' is not a valid URI.`));
  }
  if (audienceHub !== "" && !hubs.get(audienceHub)) return failure(entityNotFound(audience));
  return { status: 202, description: "Accepted" };
}
