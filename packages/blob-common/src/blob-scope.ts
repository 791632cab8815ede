import { EphError, type HostInfo } from "@eph/core";
import { scopePrefix } from "./blob-names.js";

/** What a blob adapter keeps from `setEventProcessorHost`: the host's identity and where its records live. */
export interface BlobScope {
  /** Host name, namespace, hub and consumer group, copied so later changes to the caller's object do not leak in. */
  readonly info: HostInfo;
  /** `<namespace>/<hub>/<consumer group>/<segment>/`: every record of this adapter for the hub is under it. */
  readonly prefix: string;
}

/**
 * Checks `info` (`InvalidOption` naming the field that cannot be used) and returns a copy with the
 * prefix of the records one kind of adapter keeps for it, e.g. `eph-lease` for leases.
 */
export function blobScope(info: HostInfo, segment: string): BlobScope {
  const hostName: unknown = info?.hostName;
  if (typeof hostName !== "string" || hostName === "") {
    throw new EphError("InvalidOption", "HostInfo.hostName must be a non-empty string.");
  }
  return {
    info: {
      hostName,
      fullyQualifiedNamespace: info.fullyQualifiedNamespace,
      eventHubName: info.eventHubName,
      consumerGroup: info.consumerGroup,
    },
    prefix: `${scopePrefix(info)}${segment}/`,
  };
}
