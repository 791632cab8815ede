import type { RecordScope } from "./record-store.js";

/**
 * The names of `scope` as a store puts them in its keys: each checked by `check` (which throws
 * `InvalidOption` naming `what`, e.g. `HostInfo.eventHubName`, for a name the store cannot hold), then
 * lower-cased. Event Hubs names are case-insensitive: hosts configured with `$Default` and `$default`
 * read one consumer group and must find the same records. (The official checkpoint stores' layouts,
 * which adapters keep for compatibility, use the names as given.)
 */
export function scopeKeyParts(
  scope: RecordScope,
  check: (what: string, value: string) => string = (_, value) => value,
): [namespace: string, eventHub: string, consumerGroup: string] {
  return [
    check("HostInfo.fullyQualifiedNamespace", scope.fullyQualifiedNamespace).toLowerCase(),
    check("HostInfo.eventHubName", scope.eventHubName).toLowerCase(),
    check("HostInfo.consumerGroup", scope.consumerGroup).toLowerCase(),
  ];
}
