import { once } from "node:events";
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** What the proxy does with one request instead of forwarding it. */
export type Fault =
  /** Answers with this status and a service error body carrying `code` (default `ServerBusy`). */
  | { readonly status: number; readonly code?: string; readonly headers?: Record<string, string> }
  /** Forwards the request normally (to let some requests through before a fault). */
  | "pass"
  /** Never answers; the connection stays open until the client gives up or the proxy closes. */
  | "hang"
  /** Drops the connection without answering and without forwarding. */
  | "reset"
  /** Forwards the request, lets Azurite carry it out, then drops the connection instead of answering. */
  | "lose-response";

/** One request the proxy saw: method, decoded path and the `comp` and `maxresults` of the query. */
export interface SeenRequest {
  /** HTTP method, e.g. `PUT`. */
  readonly method: string;
  /** The URL path, percent-decoded, e.g. `/devstoreaccount1/leases/ns/hub/group/0`. */
  readonly path: string;
  /** The `comp` query parameter, e.g. `list`, `metadata`, or `""`. */
  readonly comp: string;
  /** The `maxresults` a listing asked for, if any. */
  readonly maxResults: string | undefined;
}

/** Which Azurite service the proxy stands in front of: it decides the shape of injected error bodies. */
export type FaultProxyService = "blob" | "table";

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /**
   * The service behind `target`. Blob errors are XML with an `x-ms-error-code` header; table errors are
   * an `odata.error` JSON body, as each SDK expects to parse them.
   */
  readonly service: FaultProxyService;
}

/**
 * A loopback HTTP proxy in front of one Azurite service. It records every request (so tests count
 * storage calls, retries included), answers the next requests with injected faults (throttling, server
 * timeouts, hung or reset connections, lost answers) and forwards the rest.
 */
export interface FaultProxy {
  /** Endpoint to give the client instead of Azurite's, e.g. `http://127.0.0.1:P/devstoreaccount1`. */
  readonly endpoint: string;
  /** Every request received since the last `resetLog`, faulted or not. */
  readonly seen: readonly SeenRequest[];
  /** Forgets the requests seen so far. */
  resetLog(): void;
  /** Queues faults for the next requests, in order. */
  inject(...faults: Fault[]): void;
  /** Answers every request with `fault` until `clear`. */
  always(fault: Fault): void;
  /**
   * Makes Azurite answer listings (`comp=list`) with pages of at most `size` items (by rewriting
   * `maxresults`), so paging is tested without creating thousands of records. `undefined` stops it.
   */
  limitPageSize(size: number | undefined): void;
  /** Stops injecting (faults and page limits). */
  clear(): void;
  /** Stops the proxy, ending hung requests and open connections. */
  close(): Promise<void>;
}

function errorResponse(service: FaultProxyService, code: string): { headers: Record<string, string>; body: string } {
  if (service === "table") {
    const body = JSON.stringify({ "odata.error": { code, message: { lang: "en-US", value: "Injected fault." } } });
    return { headers: { "content-type": "application/json" }, body };
  }
  const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>Injected fault.</Message></Error>`;
  return { headers: { "content-type": "application/xml", "x-ms-error-code": code }, body };
}

/** Starts a fault proxy on 127.0.0.1 (port chosen by the system) forwarding to `target`, an Azurite endpoint. */
export async function startFaultProxy(target: string, options: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(target);
  const queue: Fault[] = [];
  let permanent: Fault | undefined;
  let pageSize: number | undefined;
  let seen: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const hung = new Set<ServerResponse>();

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://proxy");
    seen.push({
      method: req.method ?? "",
      path: decodeURIComponent(url.pathname),
      comp: url.searchParams.get("comp") ?? "",
      maxResults: url.searchParams.get("maxresults") ?? undefined,
    });
    if (pageSize !== undefined && url.searchParams.get("comp") === "list") {
      url.searchParams.set("maxresults", String(pageSize));
    }
    // Forwarded unchanged unless a page size is imposed. A shared-key signature covers the query, so a
    // rewritten listing only passes Azurite's check when the client authenticates with a SAS.
    const path = pageSize !== undefined ? `${url.pathname}${url.search}` : req.url;
    const queued = queue.shift();
    const fault = queued === "pass" ? undefined : (queued ?? permanent);
    if (fault === "hang") {
      hung.add(res);
      req.resume();
      return;
    }
    if (fault === "reset") {
      req.socket.destroy();
      return;
    }
    if (fault && fault !== "lose-response" && fault !== "pass") {
      req.resume();
      const { headers, body } = errorResponse(options.service, fault.code ?? "ServerBusy");
      res.writeHead(fault.status, { ...headers, ...fault.headers });
      res.end(req.method === "HEAD" ? undefined : body);
      return;
    }
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path,
        headers: { ...req.headers, host: upstream.host },
      },
      (up) => {
        if (fault === "lose-response") {
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
    get seen() {
      return seen;
    },
    resetLog() {
      seen = [];
    },
    inject(...faults) {
      queue.push(...faults);
    },
    always(fault) {
      permanent = fault;
    },
    limitPageSize(size) {
      pageSize = size;
    },
    clear() {
      queue.length = 0;
      permanent = undefined;
      pageSize = undefined;
    },
    async close() {
      for (const res of hung) res.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
