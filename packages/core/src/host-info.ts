import { EphError } from "./errors.js";

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

const hostInfoFields = ["hostName", "fullyQualifiedNamespace", "eventHubName", "consumerGroup"] as const;

/**
 * The one check of a {@link HostInfo}, made by every store's `setEventProcessorHost`: an object whose
 * four fields are non-empty strings (`InvalidOption` naming the field). Returns a copy, so later
 * changes to the caller's object do not leak in.
 */
export function checkHostInfo(info: unknown): HostInfo {
  if (typeof info !== "object" || info === null) {
    throw new EphError(
      "InvalidOption",
      `HostInfo must be an object with ${hostInfoFields.join(", ")}, got ${String(info)}.`,
    );
  }
  const source = info as Record<string, unknown>;
  for (const field of hostInfoFields) {
    const value = source[field];
    if (typeof value !== "string" || value === "") {
      throw new EphError(
        "InvalidOption",
        `HostInfo.${field} must be a non-empty string, got ${JSON.stringify(value)}.`,
      );
    }
  }
  const { hostName, fullyQualifiedNamespace, eventHubName, consumerGroup } = info as HostInfo;
  return { hostName, fullyQualifiedNamespace, eventHubName, consumerGroup };
}
