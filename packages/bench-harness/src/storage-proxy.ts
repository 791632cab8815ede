import http from "node:http";
import type { AddressInfo } from "node:net";

/** Faults the proxy injects into the requests it forwards; change the fields at any time. */
export class StorageFaults {
  /** Share of requests answered 503 ServerBusy without reaching the store (0..1). */
  errorRate = 0;
  /** Share of requests whose connection is reset without an answer (0..1). */
  resetRate = 0;
  /** Delay added before each request is forwarded (ms). */
  latencyMs = 0;
  /** Requests answered 503, reset, and delayed so far. */
  readonly injected = { errors: 0, resets: 0, delayed: 0 };

  /** Removes every fault. */
  clear(): void {
    this.errorRate = 0;
    this.resetRate = 0;
    this.latencyMs = 0;
  }
}

/** Storage requests counted by category (`<role>.<operation>`). */
export class CallCounter {
  private readonly counts = new Map<string, number>();
  /**
   * Requests the store itself took long to answer (injected latency excluded), with the time they
   * ended: tells a slow store apart from a slow host.
   */
  readonly slow: { readonly t: number; readonly ms: number }[] = [];
  /** Requests slower than this (ms) are listed in `slow`. */
  slowThresholdMs = 500;

  /** Answers other than 2xx, by `<role>.<operation>.<status>`; never reset (compare totals over time). */
  private readonly failures = new Map<string, number>();

  add(category: string): void {
    this.counts.set(category, (this.counts.get(category) ?? 0) + 1);
  }

  /** Counts an answer that was not a success. */
  addFailure(category: string, status: number): void {
    const key = `${category}.${status}`;
    this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
  }

  /** Failed answers so far whose key starts with `prefix`, e.g. `lease.write.412` (lost conditional writes). */
  failed(prefix = ""): number {
    let n = 0;
    for (const [k, v] of this.failures) if (k.startsWith(prefix)) n += v;
    return n;
  }

  /** Forgets every count. */
  reset(): void {
    this.counts.clear();
  }

  /** The counts, by category. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Sum of the counts whose category starts with `prefix`. */
  total(prefix = ""): number {
    let n = 0;
    for (const [k, v] of this.counts) if (k.startsWith(prefix)) n += v;
    return n;
  }
}

/** Which store a request concerns, from its path and query. */
export type RoleOf = (path: string, query: URLSearchParams) => string;

/** Options of {@link startStorageProxy}. */
export interface StorageProxyOptions {
  /** The real endpoint, e.g. Azurite's `http://127.0.0.1:10000/devstoreaccount1`. */
  readonly target: string;
  /** `blob` or `table`: how operations are named and how injected errors are shaped. */
  readonly service: "blob" | "table";
  /** Names the store a request belongs to (a fixed label, or by path for a shared container). */
  readonly role: string | RoleOf;
  readonly counter: CallCounter;
  /** Faults to inject; omit for a counting-only proxy. */
  readonly faults?: StorageFaults;
}

/** A running proxy. */
export interface StorageProxy {
  /** The endpoint to give clients instead of the target's (same account path). */
  readonly endpoint: string;
  close(): Promise<void>;
}

function operationOf(service: "blob" | "table", method: string, path: string, query: URLSearchParams): string {
  if (service === "blob") {
    const comp = query.get("comp");
    if (method === "GET" && comp === "list") return "list";
    if (method === "PUT" && query.get("restype") === "container") return "container";
    if (method === "PUT") return "write";
    if (method === "DELETE") return "delete";
    return "read";
  }
  if (path.endsWith("$batch")) return "batch";
  if (method === "GET") return path.endsWith(")") && !path.endsWith("()") ? "read" : "query";
  if (method === "DELETE") return "delete";
  return "write";
}

function busyAnswer(service: "blob" | "table", res: http.ServerResponse): void {
  const message = "The server is busy (injected by the benchmark's fault proxy).";
  if (service === "blob") {
    res.writeHead(503, { "content-type": "application/xml", "x-ms-error-code": "ServerBusy" });
    res.end(
      `<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>${message}</Message></Error>`,
    );
  } else {
    res.writeHead(503, { "content-type": "application/json", "x-ms-error-code": "ServerBusy" });
    res.end(JSON.stringify({ "odata.error": { code: "ServerBusy", message: { lang: "en-US", value: message } } }));
  }
}

/**
 * An HTTP proxy on loopback in front of one storage service: counts every request by store and
 * operation, and injects 503s, connection resets and latency when asked. Clients point at
 * `endpoint`; signatures still verify because Shared Key signs the path, not the host.
 */
export async function startStorageProxy(options: StorageProxyOptions): Promise<StorageProxy> {
  const target = new URL(options.target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const roleOf: RoleOf = typeof options.role === "string" ? () => options.role as string : options.role;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://proxy");
    const method = req.method ?? "GET";
    const category = `${roleOf(url.pathname, url.searchParams)}.${operationOf(options.service, method, url.pathname, url.searchParams)}`;
    options.counter.add(category);
    const faults = options.faults;
    const forward = () => {
      if (faults && Math.random() < faults.resetRate) {
        faults.injected.resets++;
        req.socket.destroy();
        return;
      }
      if (faults && Math.random() < faults.errorRate) {
        faults.injected.errors++;
        busyAnswer(options.service, res);
        return;
      }
      send(1);
    };
    // The body is buffered (storage requests here are small) so a request can be replayed when a pooled
    // connection to the store turns out to be closed: a real network path would not add such errors.
    const chunks: Buffer[] = [];
    const body = new Promise<Buffer>((resolve) => {
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => resolve(Buffer.concat(chunks)));
    });
    const send = (attempt: number) => {
      void body.then((payload) => {
        const sentAt = Date.now();
        const upstream = http.request(
          {
            host: target.hostname,
            port: target.port,
            method,
            path: req.url,
            headers: { ...req.headers, host: target.host },
            agent,
          },
          (answer) => {
            const ms = Date.now() - sentAt;
            if (ms > options.counter.slowThresholdMs) options.counter.slow.push({ t: Date.now(), ms });
            const status = answer.statusCode ?? 502;
            if (status >= 300) options.counter.addFailure(category, status);
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.on("error", () => res.destroy());
            answer.pipe(res);
          },
        );
        upstream.on("error", () => {
          if (attempt < 3 && !res.headersSent) return send(attempt + 1);
          if (!res.headersSent) res.writeHead(502);
          res.end();
        });
        upstream.end(payload);
      });
    };
    const delay = faults?.latencyMs ?? 0;
    if (delay > 0) {
      faults!.injected.delayed++;
      setTimeout(forward, delay);
    } else {
      forward();
    }
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}${target.pathname}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

/** The official blob checkpoint store keeps ownership and checkpoints in one container: tell them apart by path. */
export const officialRoleOf: RoleOf = (path, query) => {
  const where = `${path} ${query.get("prefix") ?? ""}`;
  if (where.includes("/ownership/")) return "ownership";
  if (where.includes("/checkpoint/")) return "checkpoint";
  return "container";
};
