/**
 * The fields of `HostInfo` from `@eph/core`, spelled out so that this package depends on no eph
 * package (any package's tests may use it, core's included).
 */
export interface TestHostInfo {
  /** Unique name of the host. */
  readonly hostName: string;
  /** Fully qualified Event Hubs namespace. */
  readonly fullyQualifiedNamespace: string;
  /** Event hub name. */
  readonly eventHubName: string;
  /** Consumer group name. */
  readonly consumerGroup: string;
}

/** Host info for a host named `hostName` on the hub the store tests share (`overrides` replace fields). */
export function hostInfo(hostName: string, overrides: Partial<TestHostInfo> = {}): TestHostInfo {
  return {
    hostName,
    fullyQualifiedNamespace: "contoso.servicebus.windows.net",
    eventHubName: "orders",
    consumerGroup: "$Default",
    ...overrides,
  };
}
