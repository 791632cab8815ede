/** What an AMQP link address names. */
export type LinkAddress =
  | { kind: "cbs" }
  | { kind: "management" }
  | { kind: "hub"; hub: string }
  | { kind: "partition"; hub: string; partitionId: string }
  | { kind: "consumerPartition"; hub: string; consumerGroup: string; partitionId: string }
  | { kind: "unknown"; address: string };

/**
 * Parses the addresses Event Hubs clients attach to: `$cbs`, `$management` (also `<hub>/$management`),
 * `<hub>`, `<hub>/Partitions/<id>`, `<hub>/ConsumerGroups/<cg>/Partitions/<id>`. Keywords ignore case,
 * as the service does. A leading `amqp(s)://host/` is tolerated.
 */
export function parseLinkAddress(address: string | undefined): LinkAddress {
  if (!address) return { kind: "unknown", address: String(address) };
  let path = address;
  const scheme = /^(?:amqps?|sb):\/\/[^/]*\/?/i.exec(path);
  if (scheme) path = path.slice(scheme[0].length);
  const parts = path.split("/").filter((p) => p.length > 0);
  const [first, second, third, fourth, fifth] = parts;
  if (parts.length === 1 && first === "$cbs") return { kind: "cbs" };
  if (parts.length === 1 && first!.toLowerCase() === "$management") return { kind: "management" };
  if (parts.length === 2 && second!.toLowerCase() === "$management") return { kind: "management" };
  if (parts.length === 1) return { kind: "hub", hub: first! };
  if (parts.length === 3 && second!.toLowerCase() === "partitions") {
    return { kind: "partition", hub: first!, partitionId: third! };
  }
  if (parts.length === 5 && second!.toLowerCase() === "consumergroups" && fourth!.toLowerCase() === "partitions") {
    return { kind: "consumerPartition", hub: first!, consumerGroup: third!, partitionId: fifth! };
  }
  return { kind: "unknown", address };
}

/** The hub an audience (`sb://host:port/<hub>/...`) names, "" for the namespace itself, undefined if malformed. */
export function audienceHub(audience: string): string | undefined {
  const match = /^(?:sb|amqps?|https?):\/\/[^/]+\/?([^/]*)/i.exec(audience);
  if (!match) return undefined;
  return match[1] ?? "";
}
