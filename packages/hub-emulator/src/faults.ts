import { Condition } from "./amqp-error.js";
import { HubEmulatorError } from "./errors.js";
import type { Hub } from "./hub.js";

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

/** What the fault API acts on. */
export interface FaultTargets {
  state: FaultState;
  /** The hub named so, or a HubEmulatorError. */
  hub(name: string): Hub;
  /** Destroys every client socket; returns how many. */
  destroyConnections(): number;
}

/** The fault-injection API over an emulator's state. */
export function createFaultApi(targets: FaultTargets): EmulatorFaults {
  const { state } = targets;
  return {
    stealReceivers(hubName, partitionId, consumerGroup) {
      let count = 0;
      for (const slot of targets.hub(hubName).slotsMatching(partitionId, consumerGroup)) {
        count += slot.disconnectAll(
          Condition.linkStolen,
          "The receiver was disconnected by the emulator (injected fault).",
        );
      }
      return count;
    },
    dropConnections() {
      return targets.destroyConnections();
    },
    serverBusy(count = 1) {
      if (!Number.isInteger(count) || count < 0) {
        throw new HubEmulatorError("InvalidOptions", `serverBusy count must be a non-negative integer, got ${count}`);
      }
      state.busyRemaining = count;
    },
    setLatency(ms) {
      if (!Number.isFinite(ms) || ms < 0) {
        throw new HubEmulatorError(
          "InvalidOptions",
          `latency must be a non-negative number of milliseconds, got ${ms}`,
        );
      }
      state.latencyMs = ms;
    },
    clear() {
      state.latencyMs = 0;
      state.busyRemaining = 0;
    },
  };
}
