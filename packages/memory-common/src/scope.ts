import { EphError, type HostInfo } from "@eph/core";

/** Namespace, event hub and consumer group: the part of a {@link HostInfo} that keys a record. */
export type RecordScope = Pick<HostInfo, "fullyQualifiedNamespace" | "eventHubName" | "consumerGroup">;

/**
 * The map key of a scope. JSON of the three names cannot collide the way joining them with a separator
 * could (hub `a` + group `b-c` versus hub `a-b` + group `c`).
 */
export function scopeKey(scope: RecordScope): string {
  return JSON.stringify([scope.fullyQualifiedNamespace, scope.eventHubName, scope.consumerGroup]);
}

/** How a record is named in messages: partition, hub, consumer group and namespace. */
export function describeRecord(scope: RecordScope, partitionId: string): string {
  return `partition "${partitionId}" of event hub "${scope.eventHubName}", consumer group "${scope.consumerGroup}", namespace "${scope.fullyQualifiedNamespace}"`;
}

/** A validated copy of the host's identity and the key of its scope, as `setEventProcessorHost` keeps them. */
export interface ConfiguredScope {
  /** Host name, namespace, hub and consumer group, copied so later changes to the caller's object do not leak in. */
  readonly info: HostInfo;
  /** {@link scopeKey} of `info`. */
  readonly scope: string;
}

const hostInfoFields = ["hostName", "fullyQualifiedNamespace", "eventHubName", "consumerGroup"] as const;

/** Checks that every field of `info` is a non-empty string (`InvalidOption` naming it) and keeps a copy. */
export function configureScope(info: HostInfo): ConfiguredScope {
  for (const field of hostInfoFields) {
    const value: unknown = info[field];
    if (typeof value !== "string" || value === "") {
      throw new EphError(
        "InvalidOption",
        `HostInfo.${field} must be a non-empty string, got ${JSON.stringify(value)}.`,
      );
    }
  }
  const { hostName, fullyQualifiedNamespace, eventHubName, consumerGroup } = info;
  const copy = { hostName, fullyQualifiedNamespace, eventHubName, consumerGroup };
  return { info: copy, scope: scopeKey(copy) };
}
