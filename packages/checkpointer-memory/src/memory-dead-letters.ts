import {
  checkOptions,
  type DeadLetterDocuments,
  type DeadLetterKey,
  DocumentDeadLetterStore,
  EphError,
  type Logger,
  type OperationOptions,
  type RecordFields,
  type RecordScope,
  type StoredDeadLetter,
  throwIfAborted,
} from "@eph/core";

function scopeName(scope: RecordScope): string {
  // JSON of the names: joining them with "-" would make hub "a" + group "b-c" collide with "a-b" + "c".
  return JSON.stringify([scope.fullyQualifiedNamespace, scope.eventHubName, scope.consumerGroup]);
}

/**
 * The documents of in-process dead-letter stores: what a container is to `BlobDeadLetterStore`. Hosts
 * that share one object see the same dead letters. Like a container it does not exist until a store's
 * `ensureStore()` creates it; each call takes effect on a later microtask, as a real store's would.
 */
export class MemoryDeadLetterDocuments implements DeadLetterDocuments {
  readonly #scopes = new Map<string, Map<string, StoredDeadLetter>>();
  #present = false;

  async storeExists(options?: OperationOptions): Promise<boolean> {
    return this.#step(options, () => this.#present);
  }

  async ensureStore(options?: OperationOptions): Promise<void> {
    await this.#step(options, () => {
      this.#present = true;
    });
  }

  async deleteStore(options?: OperationOptions): Promise<void> {
    await this.#step(options, () => {
      this.#present = false;
      this.#scopes.clear();
    });
  }

  async put(key: DeadLetterKey, stored: StoredDeadLetter, options?: OperationOptions): Promise<void> {
    await this.#step(options, () => {
      this.#documents(key.scope).set(`${key.partitionId}:${key.sequenceNumber}`, {
        fields: Object.freeze({ ...stored.fields }),
        document: stored.document,
      });
    });
  }

  async get(key: DeadLetterKey, options?: OperationOptions): Promise<StoredDeadLetter | undefined> {
    return this.#step(options, () => {
      const held = this.#documents(key.scope).get(`${key.partitionId}:${key.sequenceNumber}`);
      return held && { fields: { ...held.fields }, document: held.document };
    });
  }

  async list(scope: RecordScope, partitionId: string | undefined, options?: OperationOptions): Promise<RecordFields[]> {
    return this.#step(options, () =>
      [...this.#documents(scope).values()]
        .filter((held) => partitionId === undefined || held.fields.partition === partitionId)
        .map((held) => ({ ...held.fields })),
    );
  }

  async delete(key: DeadLetterKey, options?: OperationOptions): Promise<boolean> {
    return this.#step(options, () => this.#documents(key.scope).delete(`${key.partitionId}:${key.sequenceNumber}`));
  }

  /** Nothing to release: the documents belong to this object, which hosts share. */
  async close(): Promise<void> {}

  #documents(scope: RecordScope): Map<string, StoredDeadLetter> {
    if (!this.#present) {
      throw new EphError("StoreNotFound", "The in-memory dead-letter store does not exist: call ensureStore() first.");
    }
    const name = scopeName(scope);
    const documents = this.#scopes.get(name) ?? new Map<string, StoredDeadLetter>();
    this.#scopes.set(name, documents);
    return documents;
  }

  async #step<T>(options: OperationOptions | undefined, apply: () => T): Promise<T> {
    await Promise.resolve();
    throwIfAborted(options?.abortSignal);
    return apply();
  }
}

/** Options of {@link MemoryDeadLetterStore}. */
export interface MemoryDeadLetterStoreOptions {
  /** The documents to share with other hosts' stores. Default: a private set of this instance's own. */
  store?: MemoryDeadLetterDocuments;
  /** Where recovered problems are reported (`console` works). Default: nowhere. */
  logger?: Logger | Console;
}

/**
 * A {@link DeadLetterStore} in process memory, for tests and single-process tools: core's dead-letter
 * rules over {@link MemoryDeadLetterDocuments}. `new MemoryDeadLetterStore({ store })` shares `store`
 * with other hosts' dead-letter stores.
 */
export class MemoryDeadLetterStore extends DocumentDeadLetterStore {
  /** A store over `options.store`, or over documents of its own (`InvalidOption` for unknown options). */
  constructor(options: MemoryDeadLetterStoreOptions = {}) {
    const checked = checkOptions(options, ["store", "logger"], "MemoryDeadLetterStore");
    const store = checked.store ?? new MemoryDeadLetterDocuments();
    if (!(store instanceof MemoryDeadLetterDocuments)) {
      throw new EphError("InvalidOption", "options.store must be a MemoryDeadLetterDocuments.");
    }
    super({ store, logger: checked.logger, name: "MemoryDeadLetterStore" });
  }
}
