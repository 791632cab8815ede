/** What a demo host process tells the demo (over the child-process IPC channel). */
export type HostMessage =
  /** The process is up and has loaded its modules; it is about to create the host. */
  | { readonly t: "booted" }
  /** The host started: stores ready, first lease scan done. */
  | { readonly t: "ready" }
  /** The host opened a receiver on a partition. */
  | { readonly t: "opened"; readonly partitionId: string; readonly epoch: number }
  /** The host stopped reading a partition. */
  | { readonly t: "closed"; readonly partitionId: string; readonly reason: string }
  /** The handler completed an event. Sent before the handler returns, so before it is checkpointed. */
  | { readonly t: "event"; readonly partitionId: string; readonly sequenceNumber: number }
  /** The host reported an error (already scrubbed of secrets). */
  | { readonly t: "error"; readonly message: string }
  /** The host closed cleanly and is about to exit. */
  | { readonly t: "stopped" };

/** What the demo tells a host process. */
export type DemoMessage = { readonly t: "stop" };

/** Settings of one demo host, passed through its environment (never its command line). */
export interface DemoHostSettings {
  readonly hostName: string;
  readonly eventHubConnectionString: string;
  readonly storageConnectionString: string;
  readonly container: string;
  readonly leaseDuration: number;
  readonly renewalInterval: number;
  readonly scanInterval: number;
  readonly operationTimeout: number;
  readonly checkpointEveryMs: number;
}

/** The environment variable holding {@link DemoHostSettings} as JSON. */
export const demoHostSettingsVariable = "EPH_DEMO_HOST_SETTINGS";
