import type { PartitionState } from "./health.js";
import type { PartitionCloseReason } from "./host-events.js";

/**
 * Where one partition worker is in its life. Every change goes through {@link nextPhase}, so the
 * questions "may events still reach the handlers?", "may a completion still be recorded?" and "why did
 * it stop?" each have one answer instead of several flags that must agree.
 */
export type WorkerPhase =
  /** Taken from a live owner: waiting for it to checkpoint and let go. */
  | { readonly kind: "handoff" }
  /** Fencing and reading the checkpoint, choosing the start position, opening the receiver. */
  | { readonly kind: "starting" }
  /** The receiver is open and events reach the handlers. */
  | { readonly kind: "receiving" }
  /** The receiver ended with an error: backing off, verifying the lease, then reopening it. */
  | { readonly kind: "reconnecting" }
  /**
   * Asked to stop: no new event reaches the handlers; the work in flight may finish (up to
   * `drainTimeout`) and its completions are still recorded.
   */
  | { readonly kind: "draining"; readonly reason: PartitionCloseReason; readonly error?: unknown }
  /** The final checkpoint is being written: completions after this point are not recorded. */
  | { readonly kind: "flushing"; readonly reason: PartitionCloseReason; readonly error?: unknown }
  /** Done: the final checkpoint was written (or failed) and the host was told. */
  | { readonly kind: "closed"; readonly reason: PartitionCloseReason; readonly error?: unknown };

/** What happens to a worker. */
export type WorkerSignal =
  /** The partition was taken from a live owner: wait for its handoff before starting. */
  | { readonly type: "awaitHandoff" }
  /** The handoff wait is over. */
  | { readonly type: "handedOver" }
  /** A receiver was opened, or delivered events. */
  | { readonly type: "receiving" }
  /** The receiver ended with an error (the worker will try to reopen it). */
  | { readonly type: "receiverFailed" }
  /** The host lets the partition go (close, stolen, lease lost). */
  | { readonly type: "stop"; readonly reason: PartitionCloseReason }
  /** A handler failed for good with `stopPartition`. */
  | { readonly type: "handlerFailed"; readonly error: unknown }
  /** The work in flight is over (or `drainTimeout` ran out): the final checkpoint starts. */
  | { readonly type: "seal" }
  /** The final checkpoint is done and the host was told. */
  | { readonly type: "closed" };

/** The phase of a worker just built. */
export const initialPhase: WorkerPhase = { kind: "starting" };

/**
 * The one transition function of a worker. A signal that does not apply to the phase leaves it as it is
 * (a receiver that reports an error while the partition is draining does not reopen it); the first
 * reason to stop wins, so a handler failing while a close drains does not turn the close into a failure.
 */
export function nextPhase(phase: WorkerPhase, signal: WorkerSignal): WorkerPhase {
  switch (phase.kind) {
    case "handoff":
    case "starting":
    case "receiving":
    case "reconnecting":
      return live(phase, signal);
    case "draining":
      return signal.type === "seal" ? { ...phase, kind: "flushing" } : phase;
    case "flushing":
      return signal.type === "closed" ? { ...phase, kind: "closed" } : phase;
    case "closed":
      return phase;
  }
}

function live(phase: WorkerPhase, signal: WorkerSignal): WorkerPhase {
  switch (signal.type) {
    case "awaitHandoff":
      return phase.kind === "starting" ? { kind: "handoff" } : phase;
    case "handedOver":
      return phase.kind === "handoff" ? { kind: "starting" } : phase;
    case "receiving":
      return phase.kind === "handoff" ? phase : { kind: "receiving" };
    case "receiverFailed":
      return phase.kind === "handoff" ? phase : { kind: "reconnecting" };
    case "stop":
      return { kind: "draining", reason: signal.reason };
    case "handlerFailed":
      return { kind: "draining", reason: "failed", error: signal.error };
    case "seal":
    case "closed":
      // Sealing is only ever asked for after a stop: a live worker has nothing to flush yet.
      return phase;
  }
}

/** True while events may still reach the handlers. */
export function isLive(phase: WorkerPhase): boolean {
  return phase.kind !== "draining" && phase.kind !== "flushing" && phase.kind !== "closed";
}

/** True while completed events may still be recorded (before the final checkpoint starts). */
export function recordsCompletions(phase: WorkerPhase): boolean {
  return phase.kind !== "flushing" && phase.kind !== "closed";
}

/** The phase as `health()` shows it. */
export function partitionStateOf(phase: WorkerPhase): PartitionState {
  switch (phase.kind) {
    case "handoff":
    case "starting":
    case "receiving":
    case "reconnecting":
      return phase.kind;
    case "draining":
    case "flushing":
      return "stopping";
    case "closed":
      return phase.reason === "failed" ? "failed" : "stopping";
  }
}
