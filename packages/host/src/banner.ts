/** The start-up banner (the seed printed one unless `WithNoBanner`); plain text, one line per fact. */
export function bannerText(hostName: string, namespace: string, hub: string, consumerGroup: string): string {
  return [
    "eph · Event Processor Host",
    `  host            ${hostName}`,
    `  event hub       ${namespace}/${hub}`,
    `  consumer group  ${consumerGroup}`,
    "",
  ].join("\n");
}
