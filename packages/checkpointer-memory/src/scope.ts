import type { HostInfo } from "@eph/core";

/** Namespace, event hub and consumer group: the part of a {@link HostInfo} that keys a record. */
export type CheckpointScope = Pick<HostInfo, "fullyQualifiedNamespace" | "eventHubName" | "consumerGroup">;

/**
 * The map key of a scope. JSON of the three names cannot collide the way joining them with a separator
 * could (hub `a` + group `b-c` versus hub `a-b` + group `c`).
 */
export function scopeKey(scope: CheckpointScope): string {
  return JSON.stringify([scope.fullyQualifiedNamespace, scope.eventHubName, scope.consumerGroup]);
}

/** How a record is named in messages: partition, hub, consumer group and namespace. */
export function describeRecord(scope: CheckpointScope, partitionId: string): string {
  return `partition "${partitionId}" of event hub "${scope.eventHubName}", consumer group "${scope.consumerGroup}", namespace "${scope.fullyQualifiedNamespace}"`;
}
