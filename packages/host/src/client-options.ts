import type { EventHubConsumerClientOptions } from "@azure/event-hubs";
import { EphError } from "@eph/core";

/** The user agent eph sends; the `userAgent` option is appended to it. */
export const hostUserAgent = "eph-host";

/** Most characters of the `userAgent` option: the client refuses a whole user agent over 512. */
const maxUserAgent = 256;

/** A WebSocket class, such as `WebSocket` from the `ws` package (or the global one of Node 22 and later). */
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
  options?: Record<string, unknown>,
) => object;

/** AMQP over WebSockets (`wss://…:443/$servicebus/websocket`), for networks that block port 5671. */
export interface HostWebSocketOptions {
  /** The WebSocket class to connect with, e.g. `WebSocket` from `ws` (`npm i ws`). Required. */
  readonly webSocket: WebSocketConstructor;
  /** Passed to the class's constructor as its third argument, e.g. `{ agent }` to go through a proxy. */
  readonly webSocketConstructorOptions?: Record<string, unknown>;
}

/** The `@azure/event-hubs` client settings a host passes through, checked. */
export interface ResolvedClientOptions {
  readonly webSocketOptions: HostWebSocketOptions | undefined;
  readonly customEndpointAddress: string | undefined;
  readonly userAgent: string | undefined;
  readonly identifier: string | undefined;
}

/** The option values as given, before checking. */
export interface ClientOptionValues {
  readonly webSocketOptions?: unknown;
  readonly customEndpointAddress?: unknown;
  readonly userAgent?: unknown;
  readonly identifier?: unknown;
}

function invalid(message: string): never {
  throw new EphError("InvalidOption", message);
}

function webSocketOptionsOf(value: unknown): HostWebSocketOptions | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    invalid('Option "webSocketOptions" must be an object { webSocket, webSocketConstructorOptions? }.');
  }
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (key !== "webSocket" && key !== "webSocketConstructorOptions" && o[key] !== undefined) {
      invalid(`Unknown option "webSocketOptions.${key}".`);
    }
  }
  if (typeof o.webSocket !== "function") {
    invalid(
      'Option "webSocketOptions.webSocket" must be a WebSocket class, e.g. WebSocket from the "ws" package; without it the client would silently use TCP.',
    );
  }
  const ctorOptions = o.webSocketConstructorOptions;
  if (
    ctorOptions !== undefined &&
    (typeof ctorOptions !== "object" || ctorOptions === null || Array.isArray(ctorOptions))
  ) {
    invalid('Option "webSocketOptions.webSocketConstructorOptions" must be an object.');
  }
  return {
    webSocket: o.webSocket as WebSocketConstructor,
    ...(ctorOptions === undefined ? {} : { webSocketConstructorOptions: ctorOptions as Record<string, unknown> }),
  };
}

function customEndpointOf(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const shape = 'Option "customEndpointAddress" must be an address such as "https://proxy.contoso.com:443/"';
  if (typeof value !== "string") invalid(`${shape}; got ${typeof value}.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    invalid(`${shape}; got ${JSON.stringify(value)}.`);
  }
  // The client takes the host as everything between "://" and the next "/", split at ":".
  if (!value.includes("://") || url.hostname === "" || url.hostname.includes(":") || url.hostname.startsWith("[")) {
    invalid(`${shape} (a host name or IPv4 address, and a port if not the default); got ${JSON.stringify(value)}.`);
  }
  if (url.username !== "" || url.password !== "") invalid(`${shape}, without user or password.`);
  return value;
}

function text(name: string, value: unknown, max: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.trim() === "" || value.length > max || !/^[\x20-\x7e]+$/.test(value)) {
    invalid(`Option "${name}" must be a non-empty string of at most ${max} printable ASCII characters.`);
  }
  return value;
}

/** Checks the client settings; throws an `InvalidOption` error naming the first bad one. */
export function resolveClientOptions(values: ClientOptionValues): ResolvedClientOptions {
  return {
    webSocketOptions: webSocketOptionsOf(values.webSocketOptions),
    customEndpointAddress: customEndpointOf(values.customEndpointAddress),
    userAgent: text("userAgent", values.userAgent, maxUserAgent),
    identifier: text("identifier", values.identifier, 256),
  };
}

/** The options of the host's one `EventHubConsumerClient`. */
export function consumerClientOptions(client: ResolvedClientOptions): EventHubConsumerClientOptions {
  return {
    // The host retries receivers itself, after verifying the lease; the client must not reconnect
    // behind its back.
    retryOptions: { maxRetries: 0 },
    // A single-partition subscription restarts a stopped pump after this interval, from the start
    // position it was given. The host closes such subscriptions at once; this only makes sure a
    // forgotten one could never rewind.
    loadBalancingOptions: { updateIntervalInMs: 3_600_000 },
    userAgent: client.userAgent === undefined ? hostUserAgent : `${hostUserAgent} ${client.userAgent}`,
    ...(client.identifier === undefined ? {} : { identifier: client.identifier }),
    ...(client.customEndpointAddress === undefined ? {} : { customEndpointAddress: client.customEndpointAddress }),
    ...(client.webSocketOptions === undefined
      ? {}
      : {
          webSocketOptions: {
            webSocket: client.webSocketOptions.webSocket as NonNullable<
              EventHubConsumerClientOptions["webSocketOptions"]
            >["webSocket"],
            webSocketConstructorOptions: client.webSocketOptions.webSocketConstructorOptions,
          },
        }),
  };
}
