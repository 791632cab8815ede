import type { TableClient, TableServiceClientOptions } from "@azure/data-tables";
import { createClientLogger } from "@azure/logger";
import { checkedLogger, checkOptions, type Logger, RecordLeaser } from "@eph/core";
import { TableRecordStore, tableClientFromConnectionString } from "@eph/table-common";

/** Options of {@link TableLeaser}. */
export interface TableLeaserOptions {
  /**
   * Where the leaser logs (lost races, skipped entities); `console` works. Defaults to
   * `createClientLogger("eph:leaser-table")` from `@azure/logger`, controlled by `AZURE_LOG_LEVEL`.
   */
  logger?: Logger | Console;
  /**
   * Group lease writes started in the same turn of the event loop (e.g. renewing every held lease at once)
   * into entity group transactions of up to 100 entities: one call instead of one per lease. A boolean
   * (`InvalidOption` otherwise); default `true`.
   */
  groupWrites?: boolean;
}

/** Options of {@link TableLeaser.fromConnectionString}. */
export interface TableLeaserConnectionOptions extends TableLeaserOptions {
  /** Passed to the `TableClient` (retry options, user agent…). */
  clientOptions?: TableServiceClientOptions;
}

const names = ["logger", "groupWrites"] as const;

/**
 * A {@link Leaser} over Azure Table Storage (or Cosmos DB's Table API) through `@azure/data-tables`:
 * core's lease protocol over a {@link TableRecordStore}. Each lease is one entity, PartitionKey
 * `<namespace> <hub> <consumer group> eph-lease` (lower-cased, escaped), RowKey the partition id, its
 * ETag the lease version. One instance per host.
 */
export class TableLeaser extends RecordLeaser {
  /** The table this leaser uses. */
  readonly tableName: string;

  /** Wraps a `TableClient`; the caller keeps its own credentials, retry and transport settings. */
  constructor(tableClient: TableClient, options?: TableLeaserOptions) {
    const o = checkOptions(options, names, "TableLeaser");
    const logger = checkedLogger(o.logger ?? createClientLogger("eph:leaser-table"), "options.logger");
    const store = new TableRecordStore(tableClient, { logger });
    super({ store, logger, name: "TableLeaser", groupWrites: o.groupWrites });
    this.tableName = store.tableName;
  }

  /**
   * Creates a leaser for table `tableName` of the account a storage connection string names. Plain-http
   * endpoints are accepted only on loopback (Azurite). The connection string never appears in errors.
   */
  static fromConnectionString(
    connectionString: string,
    tableName: string,
    options?: TableLeaserConnectionOptions,
  ): TableLeaser {
    const { clientOptions, ...rest } = checkOptions(options, [...names, "clientOptions"], "TableLeaser");
    return new TableLeaser(tableClientFromConnectionString(connectionString, tableName, clientOptions), rest);
  }
}
