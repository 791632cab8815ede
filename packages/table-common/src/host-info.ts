import { EphError, type HostInfo } from "@eph/core";

/**
 * Throws `InvalidOption` naming the field unless host name, namespace, event hub and consumer group are
 * non-empty strings: each of them goes into a record's key or owner.
 */
export function validateHostInfo(info: HostInfo): void {
  for (const field of ["hostName", "fullyQualifiedNamespace", "eventHubName", "consumerGroup"] as const) {
    const value: unknown = info?.[field];
    if (typeof value !== "string" || value === "") {
      throw new EphError("InvalidOption", `HostInfo.${field} must be a non-empty string.`);
    }
  }
}
