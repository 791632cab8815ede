import type { TableClient, TableServiceClientOptions } from "@azure/data-tables";
import { createClientLogger } from "@azure/logger";
import { checkedLogger, checkOptions, EphError, type Logger, RecordCheckpointer } from "@eph/core";
import { TableRecordStore, tableClientFromConnectionString } from "@eph/table-common";
import { type CheckpointLayout, officialCodec, officialKeys } from "./checkpoint-layout.js";

/** Options of {@link TableCheckpointer}. */
export interface TableCheckpointerOptions {
  /**
   * Where the checkpointer logs; `console` works. Defaults to `createClientLogger("eph:checkpointer-table")`
   * from `@azure/logger`, controlled by `AZURE_LOG_LEVEL`.
   */
  logger?: Logger | Console;
  /** How entities are laid out; see {@link CheckpointLayout}. Default `"eph"`. */
  layout?: CheckpointLayout;
}

/** Options of {@link TableCheckpointer.fromConnectionString}. */
export interface TableCheckpointerConnectionOptions extends TableCheckpointerOptions {
  /** Passed to the `TableClient` (retry options, user agent…). */
  clientOptions?: TableServiceClientOptions;
}

const names = ["logger", "layout"] as const;

/**
 * A {@link Checkpointer} over Azure Table Storage (or Cosmos DB's Table API) through `@azure/data-tables`:
 * core's checkpoint protocol (fences, no regression, one conditional write per update) over a
 * {@link TableRecordStore}, one entity per partition, in eph's layout or the official store's.
 */
export class TableCheckpointer extends RecordCheckpointer {
  /** The table this checkpointer uses. */
  readonly tableName: string;

  /** Wraps a `TableClient`; the caller keeps its own credentials, retry and transport settings. */
  constructor(tableClient: TableClient, options?: TableCheckpointerOptions) {
    const o = checkOptions(options, names, "TableCheckpointer");
    if (o.layout !== undefined && o.layout !== "eph" && o.layout !== "checkpointstore-table") {
      throw new EphError(
        "InvalidOption",
        `options.layout must be "eph" or "checkpointstore-table", got ${JSON.stringify(o.layout)}.`,
      );
    }
    const official = o.layout === "checkpointstore-table";
    const logger = checkedLogger(o.logger ?? createClientLogger("eph:checkpointer-table"), "options.logger");
    const store = new TableRecordStore(tableClient, { logger, layouts: official ? { checkpoint: officialKeys } : {} });
    super({ store, logger, name: "TableCheckpointer", codec: official ? officialCodec : undefined });
    this.tableName = store.tableName;
  }

  /**
   * Creates a checkpointer for table `tableName` of the account a storage connection string names.
   * Plain-http endpoints are accepted only on loopback (Azurite). The connection string never appears in
   * errors.
   */
  static fromConnectionString(
    connectionString: string,
    tableName: string,
    options?: TableCheckpointerConnectionOptions,
  ): TableCheckpointer {
    const { clientOptions, ...rest } = checkOptions(options, [...names, "clientOptions"], "TableCheckpointer");
    return new TableCheckpointer(tableClientFromConnectionString(connectionString, tableName, clientOptions), rest);
  }
}
