import { EphError } from "./errors.js";
import type { OperationOptions } from "./operation-options.js";
import type { BatchOutcome, RecordStore, ReplaceRequest, WriteOutcome } from "./record-store.js";

interface Pending {
  readonly request: ReplaceRequest;
  readonly options: OperationOptions | undefined;
  readonly resolve: (outcome: WriteOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/** The contract's limit on members of one `replaceMany` (the Table service's). */
const maxMembers = 100;

/**
 * Groups replaces issued in the same turn of the event loop into `replaceMany` calls, for stores with
 * batch transactions: a host renewing its 32 leases together pays one call instead of 32. Members are
 * grouped by scope and kind, at most 100 and each record once per batch. A lone replace goes out as a
 * plain `replace`, and a member the store skipped (its batch failed on another member) is retried
 * alone, so one lost lease never costs the others theirs.
 */
export class ReplaceBatcher {
  #queue: Pending[] = [];

  /** A batcher over `store`, which must have `replaceMany`. */
  constructor(private readonly store: RecordStore) {}

  /** Replaces one record, possibly inside a batch; resolves with its own outcome. */
  replace(request: ReplaceRequest, options?: OperationOptions): Promise<WriteOutcome> {
    return new Promise((resolve, reject) => {
      if (this.#queue.length === 0) {
        // setImmediate runs after every promise callback of this turn, so renewals started by one
        // Promise.all over many partitions, even after a few awaits, land in the same batch.
        setImmediate(() => this.flush());
      }
      this.#queue.push({ request, options, resolve, reject });
    });
  }

  private flush(): void {
    const groups = new Map<string, Pending[]>();
    for (const pending of this.#queue) {
      const { scope, kind } = pending.request;
      const group = JSON.stringify([scope.fullyQualifiedNamespace, scope.eventHubName, scope.consumerGroup, kind]);
      groups.set(group, [...(groups.get(group) ?? []), pending]);
    }
    this.#queue = [];
    for (let rest of groups.values()) {
      while (rest.length > 0) {
        const ids = new Set<string>();
        const batch = rest.filter((p) => ids.size < maxMembers && !ids.has(p.request.id) && ids.add(p.request.id));
        rest = rest.filter((p) => !batch.includes(p));
        void this.send(batch);
      }
    }
  }

  private async send(batch: Pending[]): Promise<void> {
    const live = batch.filter((p) => {
      if (!p.options?.abortSignal?.aborted) return true;
      p.reject(new EphError("Aborted", "The operation was aborted.", { cause: p.options.abortSignal.reason }));
      return false;
    });
    if (live.length === 1) return this.alone(live[0] as Pending);
    if (live.length === 0 || this.store.replaceMany === undefined) return;
    let outcomes: BatchOutcome[];
    try {
      // One member's abort must not cancel the others' writes, so the batch carries no signal.
      outcomes = await this.store.replaceMany(live.map((p) => p.request));
    } catch (error) {
      for (const p of live) p.reject(error);
      return;
    }
    await Promise.all(
      live.map((p, i) => {
        const outcome = outcomes[i];
        if (outcome === undefined || outcome.status === "skipped") return this.alone(p);
        p.resolve(outcome);
        return undefined;
      }),
    );
  }

  private async alone(p: Pending): Promise<void> {
    const { request } = p;
    try {
      p.resolve(await this.store.replace(request, request.fields, request.expectedVersion, p.options));
    } catch (error) {
      p.reject(error);
    }
  }
}
