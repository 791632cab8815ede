import { checkedLogger } from "./checked-logger.js";
import { EphError, throwIfAborted } from "./errors.js";
import { checkHostInfo, type EventProcessHostSetter, type HostInfo } from "./host-info.js";
import type { Logger } from "./logger.js";
import type { OperationOptions } from "./operation-options.js";
import { checkClient } from "./option-check.js";
import { checkPartitionId } from "./partition-id.js";
import type { RecordKey, RecordKind, RecordStore } from "./record-store.js";
import type { StoreProvisioner } from "./store.js";

/** What a component's store adapter offers at the least: provisioning, closing, and the host's scope. */
export interface BackingStore extends StoreProvisioner {
  /** Checks that the scope fits the store's keys (`InvalidOption` naming what does not). */
  setEventProcessorHost?(info: HostInfo): void;
  /** Releases what the adapter holds. */
  close(): Promise<void>;
}

/** Options every component built on a store adapter ({@link RecordStore} by default) takes. */
export interface RecordBackedOptions<S extends BackingStore = RecordStore> {
  /** The store adapter: versioned records with compare-and-swap. */
  readonly store: S;
  /** Where recovered problems are reported (`@azure/logger`'s shape; `console` works). Default: nowhere. */
  readonly logger?: Logger | Console | undefined;
  /** The class name used in messages, e.g. `BlobLeaser`. Default: the constructor's name. */
  readonly name?: string | undefined;
}

const recordMethods = [
  "read",
  "create",
  "replace",
  "list",
  "delete",
  "storeExists",
  "ensureStore",
  "deleteStore",
  "close",
];

/**
 * What a Leaser and a Checkpointer over a {@link RecordStore} share: the host identity, the checked
 * logger, `Closed`/`NotConfigured`/abort checks, provisioning, and an `util.inspect` that shows
 * no store or client (they may hold credentials).
 */
export abstract class RecordBacked<S extends BackingStore = RecordStore>
  implements StoreProvisioner, EventProcessHostSetter
{
  /** The checked logger. */
  protected readonly logger: Logger;
  /** The class name used in messages. */
  protected readonly adapterName: string;
  readonly #store: S;
  #info: HostInfo | undefined;
  #closed = false;

  /** Checks `options` (`InvalidOption` naming what is wrong); `methods` are those the store must have. */
  protected constructor(options: RecordBackedOptions<S>, methods: readonly string[] = recordMethods) {
    const what = methods === recordMethods ? "a RecordStore" : "a store adapter";
    this.#store = checkClient<S>(options?.store, methods, `options.store must be ${what}`);
    this.logger = checkedLogger(options.logger, "options.logger");
    this.adapterName = options.name ?? new.target.name;
  }

  /** Tells the component its host name, namespace, hub and consumer group (`InvalidOption` if malformed). */
  setEventProcessorHost(info: HostInfo): void {
    const checked = checkHostInfo(info);
    // The store may refuse what its keys cannot hold: then nothing changes.
    this.#store.setEventProcessorHost?.(checked);
    // What was held or cached belongs to the previous scope; keeping it would address the wrong record.
    this.forget();
    this.#info = checked;
  }

  /** True when the backing store exists. */
  async storeExists(options?: OperationOptions): Promise<boolean> {
    this.checkOpen(options);
    return this.#store.storeExists(options);
  }

  /** Creates the backing store if missing; safe when many hosts call it at once. */
  async ensureStore(options?: OperationOptions): Promise<void> {
    this.checkOpen(options);
    await this.#store.ensureStore(options);
  }

  /** Deletes the backing store and every record in it; no error if it does not exist. */
  async deleteStore(options?: OperationOptions): Promise<void> {
    this.checkOpen(options);
    await this.#store.deleteStore(options);
    this.forget();
  }

  /** Stops the component: the records stay in the store, later calls reject `Closed`. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.forget();
    await this.#store.close();
  }

  /** Shows the host and hub only: never the store, its client or its credentials. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    const info = this.#info;
    const where = info
      ? `host "${info.hostName}", hub "${info.eventHubName}", group "${info.consumerGroup}"`
      : "not configured";
    return `${this.adapterName} { ${this.#closed ? "closed, " : ""}${where} }`;
  }

  /** Drops what the component holds or caches of records. */
  protected abstract forget(): void;

  /** The record store. */
  protected get records(): S {
    return this.#store;
  }

  /** Checks open, not aborted and configured; returns the host info. */
  protected configured(options: OperationOptions | undefined): HostInfo {
    this.checkOpen(options);
    if (this.#info === undefined) {
      throw new EphError("NotConfigured", `Call setEventProcessorHost() on the ${this.adapterName} first.`);
    }
    return this.#info;
  }

  /** As {@link RecordBacked.configured}, and checks the partition id (`InvalidOption` unless a non-empty string). */
  protected configuredFor(options: OperationOptions | undefined, partitionId: unknown): HostInfo {
    const info = this.configured(options);
    checkPartitionId(partitionId);
    return info;
  }

  /** The key of a record of this host's scope. */
  protected key(info: HostInfo, kind: RecordKind, id: string): RecordKey {
    const { fullyQualifiedNamespace, eventHubName, consumerGroup } = info;
    return { scope: { fullyQualifiedNamespace, eventHubName, consumerGroup }, kind, id };
  }

  private checkOpen(options: OperationOptions | undefined): void {
    if (this.#closed) throw new EphError("Closed", `This ${this.adapterName} was closed.`);
    throwIfAborted(options?.abortSignal);
  }
}
