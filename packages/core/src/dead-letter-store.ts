import type {
  DeadLetter,
  DeadLetterDocuments,
  DeadLetterKey,
  DeadLetterStore,
  DeadLetterSummary,
  ListDeadLettersOptions,
} from "./dead-letter.js";
import {
  deadLetterId,
  decodeDeadLetter,
  decodeDeadLetterSummary,
  encodeDeadLetter,
  parseDeadLetterId,
} from "./dead-letter-codec.js";
import { EphError, isEphError } from "./errors.js";
import type { HostInfo } from "./host-info.js";
import type { Logger } from "./logger.js";
import type { OperationOptions } from "./operation-options.js";
import { checkPartitionId, comparePartitionIds } from "./partition-id.js";
import { RecordBacked } from "./record-backed.js";

/** Options of {@link DocumentDeadLetterStore}. */
export interface DocumentDeadLetterStoreOptions {
  /** The store adapter: documents with listable fields. */
  readonly store: DeadLetterDocuments;
  /** Where recovered problems are reported (`console` works). Default: nowhere. */
  readonly logger?: Logger | Console | undefined;
  /** The class name used in messages, e.g. `BlobDeadLetterStore`. Default: the constructor's name. */
  readonly name?: string | undefined;
  /** Strings to remove from stored error messages besides the known secret forms (a configured key). */
  readonly secrets?: readonly string[] | undefined;
}

const documentMethods = ["put", "get", "list", "delete", "storeExists", "ensureStore", "deleteStore", "close"];

/**
 * The one implementation of {@link DeadLetterStore}: checks every dead letter before it is written
 * (`InvalidOption`, nothing stored), removes secrets from error messages, names them by partition and
 * sequence number, and reads them back typed (`CorruptRecord` naming the one that is not). A store
 * adapter extends it with its {@link DeadLetterDocuments}.
 */
export class DocumentDeadLetterStore extends RecordBacked<DeadLetterDocuments> implements DeadLetterStore {
  readonly #secrets: readonly string[];

  /** A dead-letter store over `options.store` (`InvalidOption` naming what is wrong with the options). */
  constructor(options: DocumentDeadLetterStoreOptions) {
    super(options, documentMethods);
    this.#secrets = options.secrets ?? [];
  }

  /** @inheritdoc */
  async add(letter: DeadLetter, options?: OperationOptions): Promise<string> {
    const info = this.configured(options);
    const stored = encodeDeadLetter(letter, this.#secrets);
    await this.records.put(this.#key(info, letter.partitionId, letter.sequenceNumber), stored, options);
    return deadLetterId(letter.partitionId, letter.sequenceNumber);
  }

  /** @inheritdoc */
  async list(options?: ListDeadLettersOptions): Promise<DeadLetterSummary[]> {
    const info = this.configured(options);
    const partitionId = options?.partitionId;
    if (partitionId !== undefined) checkPartitionId(partitionId);
    const scope = this.#key(info, "", 0).scope;
    const all = await this.records.list(scope, partitionId, options);
    const summaries: DeadLetterSummary[] = [];
    for (const fields of all) {
      try {
        summaries.push(decodeDeadLetterSummary(scope, fields));
      } catch (error) {
        // One damaged entry must not hide the others: it is named in the log and left for `get`/`delete`.
        if (!isEphError(error, "CorruptRecord")) throw error;
        this.logger.warning(`eph: skipped a dead letter: ${error.message}`);
      }
    }
    return summaries
      .filter((s) => partitionId === undefined || s.partitionId === partitionId)
      .sort((a, b) => comparePartitionIds(a.partitionId, b.partitionId) || a.sequenceNumber - b.sequenceNumber);
  }

  /** @inheritdoc */
  async get(id: string, options?: OperationOptions): Promise<DeadLetter | undefined> {
    const info = this.configured(options);
    const { partitionId, sequenceNumber } = parseDeadLetterId(id);
    const key = this.#key(info, partitionId, sequenceNumber);
    const stored = await this.records.get(key, options);
    if (stored === undefined) return undefined;
    const letter = decodeDeadLetter(key.scope, id, stored.document);
    if (letter.partitionId !== partitionId || letter.sequenceNumber !== sequenceNumber) {
      throw new EphError(
        "CorruptRecord",
        `The dead letter "${id}" holds the event ${deadLetterId(letter.partitionId, letter.sequenceNumber)}.`,
      );
    }
    return letter;
  }

  /** @inheritdoc */
  async delete(id: string, options?: OperationOptions): Promise<boolean> {
    const info = this.configured(options);
    const { partitionId, sequenceNumber } = parseDeadLetterId(id);
    return this.records.delete(this.#key(info, partitionId, sequenceNumber), options);
  }

  /** Nothing is cached. */
  protected forget(): void {}

  #key(info: HostInfo, partitionId: string, sequenceNumber: number): DeadLetterKey {
    const { fullyQualifiedNamespace, eventHubName, consumerGroup } = info;
    return { scope: { fullyQualifiedNamespace, eventHubName, consumerGroup }, partitionId, sequenceNumber };
  }
}
