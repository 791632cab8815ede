import { EphError } from "./errors.js";
import type { OperationOptions } from "./operation-options.js";
import type { BatchOutcome, CreateRequest, RecordStore, ReplaceRequest, WriteOutcome } from "./record-store.js";
import { untilAborted } from "./until-aborted.js";

/** A create (no expected version) or a replace. */
type Request = (CreateRequest & { readonly expectedVersion?: undefined }) | ReplaceRequest;

interface Pending {
  readonly request: Request;
  readonly options: OperationOptions | undefined;
  readonly resolve: (outcome: WriteOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/** The contract's limit on members of one `createMany` or `replaceMany` (the Table service's). */
const maxMembers = 100;

/**
 * After this many failed batches in a row, the members left are sent alone (in parallel): a failed batch
 * names one failing member only, so each further batch costs a round trip in sequence.
 */
export const maxFailedBatches = 2;

/**
 * Groups creates and replaces issued in the same turn of the event loop into `createMany` and
 * `replaceMany` calls, for stores with batch transactions: a host renewing its 32 leases together pays
 * one call instead of 32, and so does a host ensuring 32 leases at start. Members are grouped by
 * operation, scope and kind, at most 100 and each record once per batch. A lone write, or one the
 * store has no batch for, goes out as a plain `create` or `replace`. Members the store skipped (their batch failed on another member) are sent again as
 * a batch without it until {@link maxFailedBatches} batches failed, then alone: one lost lease never costs the
 * others theirs, and a contended group does not pay a round trip per loser in sequence.
 *
 * A caller whose abort signal fires gets `Aborted` at once; the batch itself is abandoned only when
 * every member's caller gave up, since one member's abort must not cancel the others' writes.
 */
export class WriteBatcher {
  #queue: Pending[] = [];

  /** A batcher over `store`, which should have `createMany`, `replaceMany` or both. */
  constructor(private readonly store: RecordStore) {}

  /** Creates one record, possibly inside a batch; resolves with its own outcome. */
  create(request: CreateRequest, options?: OperationOptions): Promise<WriteOutcome> {
    return this.write(request, options);
  }

  /** Replaces one record, possibly inside a batch; resolves with its own outcome. */
  replace(request: ReplaceRequest, options?: OperationOptions): Promise<WriteOutcome> {
    return this.write(request, options);
  }

  private write(request: Request, options: OperationOptions | undefined): Promise<WriteOutcome> {
    const signal = options?.abortSignal;
    const outcome = new Promise<WriteOutcome>((resolve, reject) => {
      if (this.#queue.length === 0) {
        // setImmediate runs after every promise callback of this turn, so renewals started by one
        // Promise.all over many partitions, even after a few awaits, land in the same batch.
        setImmediate(() => this.flush());
      }
      this.#queue.push({ request, options, resolve, reject });
    });
    return untilAborted(outcome, signal);
  }

  private flush(): void {
    const groups = new Map<string, Pending[]>();
    for (const pending of this.#queue) {
      const { scope, kind, expectedVersion } = pending.request;
      const { fullyQualifiedNamespace, eventHubName, consumerGroup } = scope;
      const group = JSON.stringify([
        expectedVersion === undefined,
        fullyQualifiedNamespace,
        eventHubName,
        consumerGroup,
        kind,
      ]);
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

  private async send(batch: Pending[], failed = 0): Promise<void> {
    const live = batch.filter((p) => {
      if (!p.options?.abortSignal?.aborted) return true;
      p.reject(aborted(p.options.abortSignal));
      return false;
    });
    const creates = live[0]?.request.expectedVersion === undefined;
    if (live.length < 2 || (creates ? !this.store.createMany : !this.store.replaceMany)) {
      await Promise.all(live.map((p) => this.alone(p)));
      return;
    }
    let outcomes: BatchOutcome[];
    const group = groupSignal(live.map((p) => p.options?.abortSignal));
    const options = group && { abortSignal: group.signal };
    try {
      const requests = live.map((p) => p.request);
      outcomes = creates
        ? await (this.store.createMany?.(requests, options) ?? [])
        : await (this.store.replaceMany?.(requests as ReplaceRequest[], options) ?? []);
    } catch (error) {
      for (const p of live) p.reject(error);
      return;
    } finally {
      group?.dispose();
    }
    const skipped: Pending[] = [];
    live.forEach((p, i) => {
      const outcome = outcomes[i];
      if (outcome === undefined || outcome.status === "skipped") skipped.push(p);
      else p.resolve(outcome);
    });
    if (skipped.length > 1 && failed + 1 < maxFailedBatches) return this.send(skipped, failed + 1);
    await Promise.all(skipped.map((p) => this.alone(p)));
  }

  private async alone(p: Pending): Promise<void> {
    const { request } = p;
    try {
      const { fields, expectedVersion } = request;
      p.resolve(
        expectedVersion === undefined
          ? await this.store.create(request, fields, p.options)
          : await this.store.replace(request, fields, expectedVersion, p.options),
      );
    } catch (error) {
      p.reject(error);
    }
  }
}

function aborted(signal: AbortSignal): EphError {
  return new EphError("Aborted", "The operation was aborted.", { cause: signal.reason });
}

/** A signal that fires once every member's has: `undefined` when some member cannot abort. */
function groupSignal(signals: (AbortSignal | undefined)[]): { signal: AbortSignal; dispose(): void } | undefined {
  if (signals.some((s) => s === undefined)) return undefined;
  const members = signals as AbortSignal[];
  const controller = new AbortController();
  const onAbort = () => {
    if (members.every((s) => s.aborted)) controller.abort(new Error("Every caller of the batch gave up."));
  };
  for (const s of members) s.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      for (const s of members) s.removeEventListener("abort", onAbort);
    },
  };
}
