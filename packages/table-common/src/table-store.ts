import { odata, type TableClient } from "@azure/data-tables";
import { EphError, type Logger, throwIfAborted } from "@eph/core";
import { classifyFailure, type StoreFailure, toEphError } from "./table-request-error.js";

/**
 * One table adapter's table: the table-level operations of the store contract (`storeExists`,
 * `ensureStore`, `deleteStore`) and the mapping of any failed request to the contract's errors, so the
 * leaser and the checkpointer answer them identically.
 */
export class TableStore {
  /** The table the adapter reads and writes. */
  readonly client: TableClient;
  private readonly logger: Logger;

  /** Wraps `tableClient` (`InvalidOption` unless it is a `TableClient`); failures are logged to `logger`. */
  constructor(tableClient: unknown, logger: Logger) {
    if (typeof (tableClient as Partial<TableClient> | undefined)?.createEntity !== "function") {
      throw new EphError("InvalidOption", "tableClient must be a TableClient from @azure/data-tables.");
    }
    this.client = tableClient as TableClient;
    this.logger = logger;
  }

  /** The table's name. */
  get tableName(): string {
    return this.client.tableName;
  }

  /**
   * The contract's error for a failure the caller has no specific answer for (`Aborted`, `StoreNotFound`
   * or `StoreUnavailable`); `StoreUnavailable` is logged as a warning, since the caller will retry it.
   */
  fail(failure: StoreFailure, operation: string, partitionId?: string, signal?: AbortSignal): EphError {
    const error = toEphError(failure, operation, this.client.tableName, partitionId, signal);
    if (error.code === "StoreUnavailable") this.logger.warning(error.message);
    return error;
  }

  /** Whether the table exists, asked with a one-entity query of a PartitionKey no record has. */
  async exists(signal?: AbortSignal): Promise<boolean> {
    throwIfAborted(signal);
    try {
      await this.client
        .listEntities({ queryOptions: { filter: odata`PartitionKey eq ${""}` }, abortSignal: signal })
        .byPage({ maxPageSize: 1 })
        .next();
      return true;
    } catch (error) {
      const failure = classifyFailure(error, signal);
      if (failure.kind === "tableNotFound") return false;
      throw this.fail(failure, "storeExists", undefined, signal);
    }
  }

  /** Creates the table if it is missing; concurrent calls from many hosts all succeed. */
  async ensure(signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    try {
      await this.client.createTable({ abortSignal: signal });
    } catch (error) {
      throw this.fail(classifyFailure(error, signal), "ensureStore", undefined, signal);
    }
  }

  /** Deletes the table and everything in it; no error if it does not exist. */
  async delete(signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    try {
      await this.client.deleteTable({ abortSignal: signal });
    } catch (error) {
      throw this.fail(classifyFailure(error, signal), "deleteStore", undefined, signal);
    }
  }
}
