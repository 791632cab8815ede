/** What a store needs to know of the host that uses it: who it is and which hub it serves. */
export interface HostInfo {
  /** Unique name of this host; it is the `owner` of the leases it takes. */
  readonly hostName: string;
  /** Fully qualified Event Hubs namespace, e.g. `contoso.servicebus.windows.net`. */
  readonly fullyQualifiedNamespace: string;
  /** Event hub name. */
  readonly eventHubName: string;
  /** Consumer group name, e.g. `$Default`. */
  readonly consumerGroup: string;
}

/**
 * The seed's `EventProcessHostSetter`: how the host tells a store its name, namespace, hub and
 * consumer group before first use. Stores put namespace, hub and consumer group into every record's
 * key, so many hubs can share one container or table.
 */
export interface EventProcessHostSetter {
  /** Tells the store which host and hub it serves. Call once, before any other method. */
  setEventProcessorHost(info: HostInfo): void;
}
