import type { TableClient } from "@azure/data-tables";
import { createClientLogger } from "@azure/logger";
import { type AdapterLogging, type AdapterRole, checkChoice, checkpointerClass } from "@eph/core";
import { type TableConnectionOptions, TableRecordStore, tableAdapter, tableNameOf } from "@eph/table-common";
import { type CheckpointLayout, officialCodec, officialKeys } from "./checkpoint-layout.js";

/** Options of {@link TableCheckpointer}. */
export interface TableCheckpointerOptions extends AdapterLogging {
  /** How entities are laid out; see {@link CheckpointLayout}. Default `"eph"`. */
  layout?: CheckpointLayout;
}

/** Options of {@link TableCheckpointer.fromConnectionString}. */
export interface TableCheckpointerConnectionOptions extends TableCheckpointerOptions, TableConnectionOptions {}

const role: AdapterRole<TableClient, TableCheckpointerOptions> = {
  name: "TableCheckpointer",
  options: ["layout"],
  logger: () => createClientLogger("eph:checkpointer-table"),
  configure(tableClient, { layout, logger }) {
    const official =
      checkChoice(layout, ["eph", "checkpointstore-table"], "options.layout") === "checkpointstore-table";
    const layouts = official ? { checkpoint: officialKeys } : {};
    return {
      store: new TableRecordStore(tableClient, { logger, layouts }),
      codec: official ? officialCodec : undefined,
    };
  },
};

/**
 * A {@link Checkpointer} over Azure Table Storage (or Cosmos DB's Table API) through `@azure/data-tables`:
 * core's checkpoint protocol (fences, no regression, one conditional write per update) over a
 * {@link TableRecordStore}, one entity per partition, in eph's layout or the official store's.
 * `new TableCheckpointer(tableClient, options)` wraps a `TableClient`: the caller keeps its own
 * credentials, retry and transport settings. The logger defaults to
 * `createClientLogger("eph:checkpointer-table")` from `@azure/logger`, controlled by `AZURE_LOG_LEVEL`.
 */
export class TableCheckpointer extends checkpointerClass(...tableAdapter(role)) {
  /** The table this checkpointer uses. */
  get tableName(): string {
    return tableNameOf(this.records);
  }
}
