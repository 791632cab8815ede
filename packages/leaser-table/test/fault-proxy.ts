import { once } from "node:events";
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** What the proxy does with one request instead of forwarding it. */
export type Fault =
  | { readonly status: number; readonly code?: string; readonly headers?: Record<string, string> }
  | "hang"
  | "reset"
  /** Forwards the request, lets the table apply it, then drops the connection instead of answering. */
  | "applyThenReset";

/**
 * A loopback HTTP proxy in front of Azurite's table service that answers the next requests with
 * injected faults (throttling, server timeouts, hung or reset connections) and forwards the rest.
 */
export interface FaultProxy {
  /** Table endpoint to give the client instead of Azurite's, e.g. `http://127.0.0.1:P/devstoreaccount1`. */
  readonly endpoint: string;
  /** Requests received, faulted or not. */
  readonly requests: number;
  /** Queues faults for the next requests, in order. */
  inject(...faults: Fault[]): void;
  /** Answers every request with `fault` until `clear`. */
  always(fault: Fault): void;
  /** Stops injecting. */
  clear(): void;
  close(): Promise<void>;
}

/** Starts a fault proxy forwarding to `target` (Azurite's table endpoint). */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const queue: Fault[] = [];
  let permanent: Fault | undefined;
  let requests = 0;
  const sockets = new Set<Socket>();
  const hung = new Set<ServerResponse>();

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests++;
    const fault = queue.shift() ?? permanent;
    if (fault === "hang") {
      hung.add(res);
      req.resume();
      return;
    }
    if (fault === "reset") {
      req.socket.destroy();
      return;
    }
    if (fault && fault !== "applyThenReset") {
      req.resume();
      const body = JSON.stringify({
        "odata.error": { code: fault.code ?? "ServerBusy", message: { lang: "en-US", value: "Injected fault." } },
      });
      res.writeHead(fault.status, { "content-type": "application/json", ...fault.headers });
      res.end(body);
      return;
    }
    const lost = fault === "applyThenReset";
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (up) => {
        if (lost) {
          up.resume();
          up.on("end", () => req.socket.destroy());
          return;
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}${upstream.pathname}`,
    get requests() {
      return requests;
    },
    inject(...faults) {
      queue.push(...faults);
    },
    always(fault) {
      permanent = fault;
    },
    clear() {
      queue.length = 0;
      permanent = undefined;
    },
    async close() {
      for (const res of hung) res.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
