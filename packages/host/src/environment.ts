import { EphError } from "@eph/core";

/** The Azure clouds whose Event Hubs endpoint suffixes the host knows by name (the seed's `azure.Environment`). */
export type AzureEnvironmentName = "AzurePublicCloud" | "AzureChinaCloud" | "AzureUSGovernmentCloud";

/** A cloud given by name, or any other cloud given by its Service Bus endpoint suffix. */
export type AzureEnvironment = AzureEnvironmentName | { readonly serviceBusEndpointSuffix: string };

const suffixes: Readonly<Record<AzureEnvironmentName, string>> = {
  AzurePublicCloud: "servicebus.windows.net",
  AzureChinaCloud: "servicebus.chinacloudapi.cn",
  AzureUSGovernmentCloud: "servicebus.usgovcloudapi.net",
};

const hostLabel = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i;

/** The Service Bus endpoint suffix of an environment; throws `InvalidOption` naming `environment`. */
export function endpointSuffix(environment: AzureEnvironment | undefined): string {
  if (environment === undefined) return suffixes.AzurePublicCloud;
  if (typeof environment === "string") {
    const suffix = suffixes[environment as AzureEnvironmentName];
    if (suffix === undefined) {
      throw new EphError(
        "InvalidOption",
        `Option "environment" must be one of ${Object.keys(suffixes).join(", ")} or { serviceBusEndpointSuffix }; got "${environment}".`,
      );
    }
    return suffix;
  }
  const suffix = typeof environment === "object" && environment !== null ? environment.serviceBusEndpointSuffix : "";
  if (typeof suffix !== "string" || !isHostName(suffix.replace(/^\./, ""))) {
    throw new EphError(
      "InvalidOption",
      'Option "environment.serviceBusEndpointSuffix" must be a DNS suffix such as "servicebus.windows.net".',
    );
  }
  return suffix.replace(/^\./, "");
}

/** True for a DNS name made of valid labels, optionally followed by `:port`. */
export function isHostName(value: string): boolean {
  const [host, port, ...rest] = value.split(":");
  if (rest.length > 0 || host === undefined || host.length === 0 || host.length > 253) return false;
  if (port !== undefined && !/^\d{1,5}$/.test(port)) return false;
  return host.split(".").every((label) => hostLabel.test(label));
}

/**
 * The fully qualified namespace for `namespace`: a bare name (`contoso`) gets the environment's suffix;
 * a qualified one (`contoso.servicebus.windows.net`, optionally as `sb://…/`) is kept as it is.
 */
export function qualifyNamespace(namespace: unknown, environment: AzureEnvironment | undefined): string {
  const suffix = endpointSuffix(environment);
  if (typeof namespace !== "string" || namespace.trim() === "") {
    throw new EphError("InvalidOption", 'Argument "namespace" must be a non-empty string such as "contoso".');
  }
  const host = namespace
    .trim()
    .replace(/^(sb|amqps?):\/\//i, "")
    .replace(/\/+$/, "");
  if (!isHostName(host)) {
    throw new EphError(
      "InvalidOption",
      `Argument "namespace" must be a namespace name or host name such as "contoso" or "contoso.${suffix}"; got "${namespace}".`,
    );
  }
  return host.includes(".") ? host : `${host}.${suffix}`;
}
