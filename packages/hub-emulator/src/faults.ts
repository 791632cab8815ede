/**
 * Fault injection for reliability tests. Every method acts at once on live clients; nothing is scheduled.
 */
export interface EmulatorFaults {
  /**
   * Closes the receiver links reading `hub` (optionally only one partition and/or consumer group) with
   * `amqp:link:stolen`, as when another reader takes the partition. Returns how many links were closed.
   */
  stealReceivers(hub: string, partitionId?: string, consumerGroup?: string): number;
  /** Destroys every client socket without an AMQP close, as a network failure would. Returns how many. */
  dropConnections(): number;
  /**
   * Answers the next `count` publishes (and management requests) with `com.microsoft:server-busy`,
   * which the client treats as a retryable ServerBusyError.
   */
  serverBusy(count?: number): void;
  /** Delays every publish acknowledgement and every `$management`/`$cbs` reply by `ms` milliseconds. */
  setLatency(ms: number): void;
  /** Removes pending server-busy answers and latency. */
  clear(): void;
}

/** Mutable fault settings consulted by the request paths. */
export class FaultState {
  latencyMs = 0;
  busyRemaining = 0;

  /** True (and counts one) when this request should be answered server-busy. */
  takeBusy(): boolean {
    if (this.busyRemaining <= 0) return false;
    this.busyRemaining--;
    return true;
  }
}
