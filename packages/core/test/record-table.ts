import type { Clock } from "../src/clock.js";
import { EphError } from "../src/errors.js";
import type { HostInfo } from "../src/host-info.js";
import type { OperationOptions } from "../src/operation-options.js";
import { RecordLeaser } from "../src/record-leaser.js";
import type {
  DeleteOutcome,
  ListRecordsOptions,
  RecordFields,
  RecordKey,
  RecordKind,
  RecordScope,
  RecordStore,
  VersionedRecord,
  WriteOutcome,
} from "../src/record-store.js";

/**
 * What one call to a {@link TableRecords} store does: `delay` ms before it is applied; `fail` it before
 * it is applied, or `lose` its answer after it was.
 */
export interface RecordCallPlan {
  readonly delay?: number;
  readonly fail?: boolean;
  readonly lose?: boolean;
}

/** Decides the plan of each call of one host: its method and the record kind. */
export type RecordCallPlanner = (method: string, kind: RecordKind | "any") => RecordCallPlan;

/** Records shared by every host of a test (one scope), with counts of writes per kind. */
export class RecordTable {
  readonly records = new Map<string, VersionedRecord>();
  readonly writes: Record<RecordKind, number> = { lease: 0, checkpoint: 0, host: 0 };
  private next = 1;

  put(kind: RecordKind, id: string, fields: RecordFields): string {
    const version = `v${this.next++}`;
    this.records.set(`${kind}/${id}`, { kind, id, fields: { ...fields }, version });
    this.writes[kind]++;
    return version;
  }
}

/** One host's {@link RecordStore} over a {@link RecordTable}, in virtual time, with planned delays and failures. */
export class TableRecords implements RecordStore {
  constructor(
    private readonly table: RecordTable,
    private readonly clock: Clock,
    private readonly plan: RecordCallPlanner = () => ({}),
  ) {}

  private async run<T>(
    method: string,
    kind: RecordKind | "any",
    options: OperationOptions | undefined,
    op: () => T,
  ): Promise<T> {
    const { delay = 0, fail = false, lose = false } = this.plan(method, kind);
    if (delay > 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = this.clock.setTimeout(resolve, delay);
        options?.abortSignal?.addEventListener("abort", () => {
          this.clock.clearTimeout(timer);
          reject(new EphError("Aborted", `${method} timed out`));
        });
      });
    }
    if (fail) throw new EphError("StoreUnavailable", `${method}: injected failure`);
    const result = op();
    if (lose) throw new EphError("StoreUnavailable", `${method}: answer lost`);
    return result;
  }

  read(key: RecordKey, options?: OperationOptions): Promise<VersionedRecord | undefined> {
    return this.run("read", key.kind, options, () => this.table.records.get(`${key.kind}/${key.id}`));
  }
  create(key: RecordKey, fields: RecordFields, options?: OperationOptions): Promise<WriteOutcome> {
    return this.run("create", key.kind, options, () =>
      this.table.records.has(`${key.kind}/${key.id}`)
        ? { status: "conflict" }
        : { status: "written", version: this.table.put(key.kind, key.id, fields) },
    );
  }
  replace(key: RecordKey, fields: RecordFields, expected: string, options?: OperationOptions): Promise<WriteOutcome> {
    return this.run("replace", key.kind, options, () =>
      this.table.records.get(`${key.kind}/${key.id}`)?.version !== expected
        ? { status: "conflict" }
        : { status: "written", version: this.table.put(key.kind, key.id, fields) },
    );
  }
  list(_scope: RecordScope, options: ListRecordsOptions): Promise<VersionedRecord[]> {
    return this.run("list", "any", options, () =>
      [...this.table.records.values()].filter((r) => options.kinds.includes(r.kind)),
    );
  }
  delete(key: RecordKey, expected?: string, options?: OperationOptions): Promise<DeleteOutcome> {
    return this.run("delete", key.kind, options, () => {
      const at = `${key.kind}/${key.id}`;
      const current = this.table.records.get(at);
      if (expected !== undefined && current?.version !== expected) return { status: "conflict" };
      this.table.records.delete(at);
      return { status: "deleted" };
    });
  }
  storeExists(): Promise<boolean> {
    return Promise.resolve(true);
  }
  ensureStore(): Promise<void> {
    return Promise.resolve();
  }
  deleteStore(): Promise<void> {
    this.table.records.clear();
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A RecordLeaser of host `hostName` over the table. */
export function recordLeaser(
  table: RecordTable,
  clock: Clock,
  hostName: string,
  plan?: RecordCallPlanner,
): RecordLeaser {
  const leaser = new RecordLeaser({ store: new TableRecords(table, clock, plan) });
  const info: HostInfo = {
    hostName,
    fullyQualifiedNamespace: "ns.servicebus.windows.net",
    eventHubName: "hub",
    consumerGroup: "$Default",
  };
  leaser.setEventProcessorHost(info);
  return leaser;
}
