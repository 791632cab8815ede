import type { TableClient } from "@azure/data-tables";
import { createClientLogger } from "@azure/logger";
import { type AdapterLogging, type AdapterRole, leaserClass } from "@eph/core";
import { type TableConnectionOptions, TableRecordStore, tableAdapter, tableNameOf } from "@eph/table-common";

/** Options of {@link TableLeaser}. */
export interface TableLeaserOptions extends AdapterLogging {
  /**
   * Group lease writes started in the same turn of the event loop (e.g. renewing every held lease at once)
   * into entity group transactions of up to 100 entities: one call instead of one per lease. A boolean
   * (`InvalidOption` otherwise); default `true`.
   */
  groupWrites?: boolean;
}

/** Options of {@link TableLeaser.fromConnectionString}. */
export interface TableLeaserConnectionOptions extends TableLeaserOptions, TableConnectionOptions {}

const role: AdapterRole<TableClient, TableLeaserOptions> = {
  name: "TableLeaser",
  options: ["groupWrites"],
  logger: () => createClientLogger("eph:leaser-table"),
  configure: (tableClient, { logger, groupWrites }) => ({
    store: new TableRecordStore(tableClient, { logger }),
    groupWrites,
  }),
};

/**
 * A {@link Leaser} over Azure Table Storage (or Cosmos DB's Table API) through `@azure/data-tables`:
 * core's lease protocol over a {@link TableRecordStore}. Each lease is one entity, PartitionKey
 * `<namespace> <hub> <consumer group> eph-lease` (lower-cased, escaped), RowKey the partition id, its
 * ETag the lease version. One instance per host. `new TableLeaser(tableClient, options)` wraps a
 * `TableClient`: the caller keeps its own credentials, retry and transport settings. The logger defaults
 * to `createClientLogger("eph:leaser-table")` from `@azure/logger`, controlled by `AZURE_LOG_LEVEL`.
 */
export class TableLeaser extends leaserClass(...tableAdapter(role)) {
  /** The table this leaser uses. */
  get tableName(): string {
    return tableNameOf(this.records);
  }
}
