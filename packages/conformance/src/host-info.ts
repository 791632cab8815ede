import type { HostInfo } from "@eph/core";

/** Namespace, hub and consumer group: what a store's record keys are made of. */
export type Scope = Omit<HostInfo, "hostName">;

/** The scope most tests use. `$Default` is the real default consumer group and has a `$` in it. */
export const defaultScope: Scope = {
  fullyQualifiedNamespace: "conformance.servicebus.windows.net",
  eventHubName: "orders",
  consumerGroup: "$Default",
};

/**
 * Scopes that share one store and must never see each other's records. The first two collide when a
 * key joins hub and consumer group with `-` (`a` + `b-c` and `a-b` + `c`), the third differs only in
 * namespace, the fourth only in consumer group.
 */
export const neighbourScopes: readonly Scope[] = [
  { fullyQualifiedNamespace: "ns-one.servicebus.windows.net", eventHubName: "a", consumerGroup: "b-c" },
  { fullyQualifiedNamespace: "ns-one.servicebus.windows.net", eventHubName: "a-b", consumerGroup: "c" },
  { fullyQualifiedNamespace: "ns-two.servicebus.windows.net", eventHubName: "a", consumerGroup: "b-c" },
  { fullyQualifiedNamespace: "ns-one.servicebus.windows.net", eventHubName: "a", consumerGroup: "$Default" },
];

/** The host info of `hostName` on `scope`. */
export function hostInfo(hostName: string, scope: Scope = defaultScope): HostInfo {
  return { hostName, ...scope };
}
