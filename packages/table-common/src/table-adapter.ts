import type { TableClient, TableServiceClientOptions } from "@azure/data-tables";
import {
  type AdapterLogging,
  type AdapterRole,
  type Connect,
  type RecordCheckpointerOptions,
  type RecordLeaserOptions,
  resourceAdapter,
} from "@eph/core";
import { tableClientFromConnectionString } from "./connection-string.js";
import type { TableRecordStore } from "./table-record-store.js";

/** Options of a table adapter's `fromConnectionString`, beside its own. */
export interface TableConnectionOptions {
  /** Passed to the `TableClient` (retry options, user agent…). */
  clientOptions?: TableServiceClientOptions;
}

type Args<O> = [tableClient: TableClient, options?: O];

/** The arguments of a table adapter's `fromConnectionString`. */
export type TableConnectArgs<O> = [connectionString: string, tableName: string, options?: O & TableConnectionOptions];

/**
 * How core builds the adapter of `role`: on a `TableClient`, which stays the caller's (its credentials,
 * retry and transport settings), or for table `tableName` of the account a storage connection string
 * names (plain http only on loopback, for Azurite; the string never appears in errors).
 */
export function tableAdapter<O extends AdapterLogging>(
  role: AdapterRole<TableClient, O>,
): [(...args: Args<O>) => RecordLeaserOptions & RecordCheckpointerOptions, Connect<Args<O>, TableConnectArgs<O>>] {
  return resourceAdapter<TableClient, O, TableConnectionOptions>(
    role,
    ["clientOptions"],
    (text, name, { clientOptions }) => tableClientFromConnectionString(text, name, clientOptions),
  );
}

/** The table a table adapter's record store uses. */
export function tableNameOf(records: unknown): string {
  return (records as TableRecordStore).tableName;
}
