import { type ChildProcess, fork } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Path of a compiled entry script of this package (`dist/<name>.js`), from src (tests) or dist alike. */
export function entryScript(name: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return join(here, "..", "dist", `${name}.js`);
}

type Request = { readonly id: number; readonly op: string; readonly args: unknown };
type Reply =
  | { readonly t: "ready"; readonly info: unknown }
  | { readonly id: number; readonly result?: unknown; readonly error?: string };

/**
 * A child process that answers requests over IPC (the emulator, Azurite, the producer): each runs on
 * its own event loop, as the real services would, so a busy benchmark parent does not slow them.
 */
export class RpcChild<Info> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited = false;

  private constructor(
    readonly child: ChildProcess,
    readonly info: Info,
  ) {
    child.on("message", (m: Reply) => {
      if (!("id" in m)) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.result);
    });
    child.on("exit", () => {
      this.exited = true;
      for (const p of this.pending.values()) p.reject(new Error("child process exited"));
      this.pending.clear();
    });
  }

  /** Forks `dist/<name>.js` with `config` in the environment and waits for its `ready` message. */
  static async start<Info>(name: string, config: unknown, timeoutMs = 60_000): Promise<RpcChild<Info>> {
    const child = fork(entryScript(name), [], {
      env: { ...process.env, EPH_BENCH_CHILD: JSON.stringify(config) },
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    const info = await new Promise<Info>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start in ${timeoutMs} ms`)), timeoutMs);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited with code ${code} before it was ready`));
      });
      child.on("message", (m: Reply) => {
        if ("t" in m && m.t === "ready") {
          clearTimeout(timer);
          resolve(m.info as Info);
        }
      });
    });
    return new RpcChild<Info>(child, info);
  }

  /** Sends a request and waits for its answer. */
  call<T>(op: string, args?: unknown): Promise<T> {
    if (this.exited) return Promise.reject(new Error("child process exited"));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, op, args } satisfies Request);
    });
  }

  /** Asks the child to close, and kills it if it has not exited within `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.call("close").catch(() => undefined);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    await gone;
    clearTimeout(timer);
  }
}

/** Child side: reads the configuration, serves requests with `handlers`, then reports `ready` with `info`. */
export async function serveRpc<Config>(
  setup: (config: Config) => Promise<{
    info: unknown;
    handlers: Record<string, (args: never) => unknown>;
    close: () => Promise<void>;
  }>,
): Promise<void> {
  const config = JSON.parse(process.env.EPH_BENCH_CHILD ?? "null") as Config;
  const { info, handlers, close } = await setup(config);
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await close().catch(() => undefined);
    process.exit(0);
  };
  process.on("message", async (m: Request) => {
    if (m.op === "close") {
      process.send?.({ id: m.id, result: null });
      await shutdown();
      return;
    }
    try {
      const handler = handlers[m.op];
      if (!handler) throw new Error(`unknown operation ${m.op}`);
      const result = await handler(m.args as never);
      process.send?.({ id: m.id, result: result ?? null });
    } catch (error) {
      process.send?.({ id: m.id, error: error instanceof Error ? error.message : String(error) });
    }
  });
  process.on("disconnect", () => void shutdown());
  process.send?.({ t: "ready", info });
}
