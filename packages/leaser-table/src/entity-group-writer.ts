import type { TableClient, TableEntity, TableTransactionResponse, TransactionAction } from "@azure/data-tables";

/** One conditional write: an insert-only create, or a replace conditional on an ETag (If-Match). */
export interface EntityWrite {
  readonly action: "create" | "update";
  readonly entity: TableEntity<object>;
  /** Required for `update`: the write succeeds only if the entity still has this ETag. */
  readonly etag?: string;
}

type Outcome = { readonly ok: true; readonly etag: string } | { readonly ok: false; readonly error: unknown };

interface Pending {
  readonly write: EntityWrite;
  readonly signal: AbortSignal | undefined;
  readonly settle: (outcome: Outcome) => void;
}

/** The service's limit on operations in one entity group transaction. */
const MAX_ACTIONS = 100;

/**
 * A failed transaction names only its first failing write, so each further failure costs a round trip
 * in sequence. After this many, the rest are sent on their own, in parallel.
 */
const MAX_SPLITS = 2;

/** An abort error the failure classifier recognises, used when a caller gives up before a shared write ends. */
function abortError(signal: AbortSignal | undefined): Error {
  const error = new Error("The operation was aborted.", { cause: signal?.reason });
  error.name = "AbortError";
  return error;
}

/**
 * Sends conditional writes, grouping those started in the same turn of the event loop for the same
 * PartitionKey into one entity group transaction: a host renewing its 32 leases together pays one call
 * instead of 32. A transaction is atomic, so when one write's condition fails the service names it (the
 * `<index>:` prefix of the error); that write gets its own failure and the others are sent again without
 * it, up to {@link MAX_SPLITS} times. A lone write is sent as a plain request, so its cost and errors are
 * exactly those of the SDK call.
 */
export class EntityGroupWriter {
  private readonly queues = new Map<string, Pending[]>();
  private flushScheduled = false;

  /** `grouping` false sends every write on its own. */
  constructor(
    private readonly client: TableClient,
    private readonly grouping: boolean,
  ) {}

  /**
   * Performs `write` and resolves with the new ETag, or rejects with what the SDK threw. `onWritten`
   * runs whenever the write is known to have succeeded, even after the caller's signal aborted its
   * wait, so the caller's cache of ETags stays true to the store.
   */
  write(write: EntityWrite, signal: AbortSignal | undefined, onWritten: (etag: string) => void): Promise<string> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const outcome = new Promise<Outcome>((settle) => {
      const pending: Pending = { write, signal, settle };
      if (!this.grouping) {
        void this.sendOne(pending);
        return;
      }
      const key = write.entity.partitionKey;
      const queue = this.queues.get(key);
      if (queue) queue.push(pending);
      else this.queues.set(key, [pending]);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // setImmediate runs after every promise callback of this turn, so writes started by a
        // Promise.all over many partitions, even after a few awaits, land in the same group.
        setImmediate(() => this.flush());
      }
    }).then((result) => {
      if (result.ok) onWritten(result.etag);
      return result;
    });
    return raceAbort(outcome, signal).then((result) => {
      if (result.ok) return result.etag;
      throw result.error;
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const queues = [...this.queues.values()];
    this.queues.clear();
    for (const queue of queues) {
      for (const chunk of chunks(queue)) void this.send(chunk);
    }
  }

  private async send(chunk: Pending[], splits = 0): Promise<void> {
    const live = chunk.filter((p) => {
      if (!p.signal?.aborted) return true;
      p.settle({ ok: false, error: abortError(p.signal) });
      return false;
    });
    if (live.length === 0) return;
    if (live.length === 1) return this.sendOne(live[0] as Pending);
    if (splits >= MAX_SPLITS) {
      // Contended group (e.g. hosts racing for the same leases): one round trip for all the rest.
      await Promise.all(live.map((p) => this.sendOne(p)));
      return;
    }
    const group = groupSignal(live.map((p) => p.signal));
    let response: TableTransactionResponse | undefined;
    let failure: unknown;
    try {
      response = await this.client.submitTransaction(live.map(toAction), { abortSignal: group.signal });
    } catch (error) {
      failure = error;
    } finally {
      group.dispose();
    }
    if (response) {
      live.forEach((p, i) => {
        const etag = response.subResponses[i]?.etag;
        p.settle(
          etag ? { ok: true, etag } : { ok: false, error: new Error("The transaction response carried no ETag.") },
        );
      });
      return;
    }
    const index = failedIndex(failure, live.length);
    if (index === undefined) {
      for (const p of live) p.settle({ ok: false, error: failure });
      return;
    }
    (live[index] as Pending).settle({ ok: false, error: failure });
    await this.send(
      live.filter((_, i) => i !== index),
      splits + 1,
    );
  }

  private async sendOne(p: Pending): Promise<void> {
    const { write, signal } = p;
    try {
      const response =
        write.action === "create"
          ? await this.client.createEntity(write.entity, { abortSignal: signal })
          : await this.client.updateEntity(write.entity, "Replace", { etag: write.etag, abortSignal: signal });
      p.settle(
        response.etag
          ? { ok: true, etag: response.etag }
          : { ok: false, error: new Error("The response carried no ETag.") },
      );
    } catch (error) {
      p.settle({ ok: false, error });
    }
  }
}

function toAction(p: Pending): TransactionAction {
  return p.write.action === "create"
    ? ["create", p.write.entity]
    : ["update", p.write.entity, "Replace", { etag: p.write.etag }];
}

/** Splits a queue into transactions: at most 100 actions, and an entity at most once in each. */
function chunks(queue: Pending[]): Pending[][] {
  const out: Pending[][] = [];
  let rest = queue;
  while (rest.length > 0) {
    const seen = new Set<string>();
    const chunk: Pending[] = [];
    const later: Pending[] = [];
    for (const p of rest) {
      if (chunk.length < MAX_ACTIONS && !seen.has(p.write.entity.rowKey)) {
        seen.add(p.write.entity.rowKey);
        chunk.push(p);
      } else later.push(p);
    }
    out.push(chunk);
    rest = later;
  }
  return out;
}

// A failed transaction reports the failing action as "<index>:<message>". Only failures that concern
// that single entity (its condition, its existence) are split off; anything else fails the whole group.
function failedIndex(error: unknown, size: number): number | undefined {
  const e = error as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (e.statusCode !== 404 && e.statusCode !== 409 && e.statusCode !== 412) return undefined;
  if (e.code === "TableNotFound") return undefined;
  const match = typeof e.message === "string" ? /^(\d+):/.exec(e.message) : null;
  if (!match) return undefined;
  const index = Number(match[1]);
  return index < size ? index : undefined;
}

/** A signal that aborts once every member has aborted: the group is abandoned only when nobody waits. */
function groupSignal(signals: Array<AbortSignal | undefined>): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  if (signals.some((s) => s === undefined)) return { signal: controller.signal, dispose() {} };
  const members = signals as AbortSignal[];
  const onAbort = () => {
    if (members.every((s) => s.aborted)) controller.abort();
  };
  for (const s of members) s.addEventListener("abort", onAbort);
  return {
    signal: controller.signal,
    dispose() {
      for (const s of members) s.removeEventListener("abort", onAbort);
    },
  };
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
