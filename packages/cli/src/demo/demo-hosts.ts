import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import { moduleDir } from "../module-location.js";
import {
  type DemoHostSettings,
  type DemoMessage,
  demoHostSettingsVariable,
  type HostMessage,
} from "./demo-messages.js";

/** Where a demo host process is in its life. */
export type DemoHostState = "starting" | "running" | "stopping" | "stopped" | "killed" | "failed";

/** One host process of the demo, as the demo sees it. */
export interface DemoHost {
  readonly name: string;
  state: DemoHostState;
  /** Partitions whose receiver this host has open, as it reported. */
  readonly reading: Set<string>;
  /** Events this host completed, duplicates included. */
  events: number;
  /** `performance.now()` when the process had loaded and began creating its host. */
  bootedAt: number | undefined;
  /** The end of its standard error, to explain an unexpected exit. */
  stderrTail: string;
}

/** Called for every message from any host. */
export type HostListener = (host: DemoHost, message: HostMessage) => void;

const hostScript = join(moduleDir, "demo", "demo-host.js");

/** Starts, stops and kills the demo's host processes. */
export class DemoHosts {
  readonly hosts = new Map<string, DemoHost>();
  private readonly children = new Map<string, ChildProcess>();
  private readonly exits = new Map<string, Promise<void>>();

  constructor(
    private readonly base: Omit<DemoHostSettings, "hostName">,
    private readonly listener: HostListener,
    private readonly onExit: (host: DemoHost, code: number | null, signal: NodeJS.Signals | null) => void,
  ) {}

  /** Starts a host process named `name`. */
  spawn(name: string): DemoHost {
    const host: DemoHost = {
      name,
      state: "starting",
      reading: new Set(),
      events: 0,
      bootedAt: undefined,
      stderrTail: "",
    };
    const settings: DemoHostSettings = { ...this.base, hostName: name };
    // Connection strings travel in the environment: the command line is visible to other users.
    const child = fork(hostScript, [], {
      env: { ...process.env, [demoHostSettingsVariable]: JSON.stringify(settings) },
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      execArgv: [],
      serialization: "json",
    });
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      host.stderrTail = (host.stderrTail + chunk).slice(-2000);
    });
    child.on("message", (message: HostMessage) => {
      if (message.t === "booted") host.bootedAt = performance.now();
      if (message.t === "ready" && host.state === "starting") host.state = "running";
      // Messages a killed host wrote before dying still arrive; its events count, its receivers are gone.
      if (message.t === "opened" && host.state !== "killed") host.reading.add(message.partitionId);
      if (message.t === "closed") host.reading.delete(message.partitionId);
      if (message.t === "event") host.events++;
      this.listener(host, message);
    });
    this.exits.set(
      name,
      new Promise((resolve) => {
        child.once("exit", (code, signal) => {
          host.reading.clear();
          if (host.state !== "killed") host.state = code === 0 ? "stopped" : "failed";
          this.onExit(host, code, signal);
          resolve();
        });
      }),
    );
    this.hosts.set(name, host);
    this.children.set(name, child);
    return host;
  }

  /** Kills a host at once (SIGKILL): it releases nothing and flushes nothing, like a crashed machine. */
  kill(name: string): void {
    const host = this.hosts.get(name);
    const child = this.children.get(name);
    if (!host || !child) return;
    host.state = "killed";
    host.reading.clear();
    child.kill("SIGKILL");
  }

  /** Asks every live host to close cleanly; kills those that have not exited after `timeoutMs`. */
  async stopAll(timeoutMs: number): Promise<void> {
    for (const [name, child] of this.children) {
      const host = this.hosts.get(name);
      if (!host || (host.state !== "running" && host.state !== "starting")) continue;
      host.state = "stopping";
      if (child.connected) child.send({ t: "stop" } satisfies DemoMessage);
      else child.kill("SIGTERM");
    }
    const all = Promise.all(this.exits.values());
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), timeoutMs);
    });
    if ((await Promise.race([all, late])) === "late") {
      for (const child of this.children.values()) if (child.exitCode === null) child.kill("SIGKILL");
      await all;
    }
    clearTimeout(timer);
  }

  /** Hosts that are alive (starting, running or stopping). */
  live(): DemoHost[] {
    return [...this.hosts.values()].filter((h) => h.state === "starting" || h.state === "running");
  }
}
