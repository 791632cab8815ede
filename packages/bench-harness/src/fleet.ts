import { type ChildProcess, fork } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import { entryScript } from "./child-rpc.js";
import { DeliveryLogReader, type LogRecord } from "./delivery-log.js";
import { WORKER_CONFIG_ENV, type WorkerConfig, type WorkerMessage } from "./worker-config.js";

/** One memory sample of a worker. */
export interface HealthSample {
  readonly at: number;
  readonly rss: number;
  readonly heapUsed: number;
}

/** Life of a worker process as the parent sees it. */
export type MemberStatus = "ready" | "running" | "paused" | "closing" | "closed" | "killed" | "failed";

/** A worker process: an eph host, an official processor or a raw client. */
export class Member {
  status: MemberStatus = "ready";
  startedAt: number | undefined;
  endedAt: number | undefined;
  /** Every health report's memory figures. */
  readonly memory: HealthSample[] = [];
  /** Longest event-loop delay of each health period (ms), with the time of the report. */
  readonly loopDelays: { readonly at: number; readonly ms: number }[] = [];
  /** eph: the scope of its records (from its ready message). */
  scope: Extract<WorkerMessage, { t: "ready" }>["scope"];
  /** Errors by kind over the worker's whole life, from its closed message. */
  closedErrors: Readonly<Record<string, number>> | undefined;
  /** The last health report. */
  health: Extract<WorkerMessage, { t: "health" }> | undefined;
  /** For throughput runs: when the expected number of events had been handled. */
  done: Extract<WorkerMessage, { t: "done" }> | undefined;
  failure: string | undefined;
  readonly exited: Promise<void>;
  private readonly waiters: ((m: WorkerMessage) => void)[] = [];

  constructor(
    readonly name: string,
    readonly config: WorkerConfig,
    readonly child: ChildProcess,
    readonly log: DeliveryLogReader,
    /** When the parent forked the process (`Date.now()`). */
    readonly spawnedAt: number,
  ) {
    child.on("message", (m: WorkerMessage) => {
      if (m.t === "health") {
        this.health = m;
        this.memory.push({ at: m.at, rss: m.rss, heapUsed: m.heapUsed });
        this.loopDelays.push({ at: m.at, ms: m.loopDelayMaxMs });
      } else if (m.t === "ready") {
        this.scope = m.scope;
      } else if (m.t === "closed") {
        this.closedErrors = m.errorsByKind;
      } else if (m.t === "done") {
        this.done = m;
      } else if (m.t === "failed") {
        this.failure = m.message;
        this.status = "failed";
      }
      for (const w of this.waiters.splice(0)) w(m);
    });
    this.exited = new Promise((resolve) =>
      child.once("exit", () => {
        this.endedAt ??= Date.now();
        if (this.status !== "killed" && this.status !== "closed") this.status = this.failure ? "failed" : "closed";
        for (const w of this.waiters.splice(0)) w({ t: "failed", message: "exited" });
        resolve();
      }),
    );
  }

  /** True while the process may be reading (running or paused, not closing or gone). */
  get live(): boolean {
    return this.status === "running" || this.status === "paused";
  }

  /** Waits for a message of type `t`. */
  next<T extends WorkerMessage["t"]>(t: T, timeoutMs = 60_000): Promise<Extract<WorkerMessage, { t: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no "${t}" within ${timeoutMs} ms`)), timeoutMs);
      const wait = (m: WorkerMessage) => {
        if (m.t === t) {
          clearTimeout(timer);
          resolve(m as Extract<WorkerMessage, { t: T }>);
        } else if (m.t === "failed") {
          clearTimeout(timer);
          reject(new Error(`${this.name} failed: ${m.message}`));
        } else {
          this.waiters.push(wait);
        }
      };
      this.waiters.push(wait);
    });
  }

  /** Starts the host; resolves with the time it was started (the worker's clock). */
  async go(): Promise<number> {
    const started = this.next("started");
    this.child.send({ t: "go" });
    const m = await started;
    this.status = "running";
    this.startedAt = m.at;
    return m.at;
  }

  /** SIGKILL: the process dies at once, releasing nothing. */
  kill(): number {
    const at = Date.now();
    this.child.kill("SIGKILL");
    this.status = "killed";
    this.endedAt = at;
    return at;
  }

  /** SIGSTOP: the process freezes (timers, sockets and all) until {@link resume}. */
  pause(): void {
    if (this.status !== "running") return;
    this.child.kill("SIGSTOP");
    this.status = "paused";
  }

  /** SIGCONT. */
  resume(): void {
    if (this.status !== "paused") return;
    this.child.kill("SIGCONT");
    this.status = "running";
  }

  /** Asks the worker to close gracefully; kills it if it has not exited within `timeoutMs`. */
  async close(timeoutMs = 60_000): Promise<{ requestedAt: number; closedAt: number | undefined }> {
    const requestedAt = Date.now();
    if (this.status === "killed" || this.status === "closed") return { requestedAt, closedAt: this.endedAt };
    if (this.status === "paused") this.resume();
    this.status = "closing";
    const closed = this.next("closed", timeoutMs).catch(() => undefined);
    this.child.send({ t: "close" });
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    const m = await closed;
    await this.exited;
    clearTimeout(timer);
    this.status = "closed";
    return { requestedAt, closedAt: m?.at };
  }
}

/** The worker processes of one run, and their delivery logs. */
export class Fleet {
  readonly members = new Map<string, Member>();

  constructor(
    private readonly dir: string,
    private readonly onRecord: (member: Member, record: LogRecord) => void,
  ) {}

  /** Forks a worker and waits until it is ready (clients created; not started). */
  async spawn(config: Omit<WorkerConfig, "logFile">): Promise<Member> {
    if (this.members.has(config.name)) throw new Error(`worker ${config.name} exists`);
    const logFile = join(this.dir, `${config.name}.log`);
    const full: WorkerConfig = { ...config, logFile };
    const out = openSync(join(this.dir, `${config.name}.out`), "a");
    const spawnedAt = Date.now();
    const child = fork(entryScript("host-worker"), [], {
      env: { ...process.env, [WORKER_CONFIG_ENV]: JSON.stringify(full) },
      // EPH_BENCH_NODE_OPTIONS adds node flags to every worker, e.g. "--cpu-prof" to profile them.
      execArgv: ["--expose-gc", ...(process.env.EPH_BENCH_NODE_OPTIONS?.split(" ").filter(Boolean) ?? [])],
      stdio: ["ignore", out, out, "ipc"],
    });
    closeSync(out);
    const member = new Member(config.name, full, child, new DeliveryLogReader(logFile), spawnedAt);
    this.members.set(config.name, member);
    await member.next("ready");
    return member;
  }

  /** Reads what every worker appended to its log since the last poll. */
  poll(): void {
    for (const m of this.members.values()) for (const r of m.log.read()) this.onRecord(m, r);
  }

  /** Members that may be reading. */
  live(): Member[] {
    return [...this.members.values()].filter((m) => m.live);
  }

  /** Closes every worker still running (killing what does not close in time). */
  async shutdown(timeoutMs = 30_000): Promise<void> {
    await Promise.all(
      [...this.members.values()].map(async (m) => {
        if (m.status === "paused") m.resume();
        if (m.status === "running" || m.status === "ready") await m.close(timeoutMs);
      }),
    );
    this.poll();
  }
}
