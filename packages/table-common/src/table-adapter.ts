import type { TableClient, TableServiceClientOptions } from "@azure/data-tables";
import {
  type AdapterLogging,
  type AdapterSpec,
  adapterOptions,
  type Connect,
  type RecordCheckpointerOptions,
  type RecordKind,
  type RecordLeaserOptions,
} from "@eph/core";
import { tableClientFromConnectionString } from "./connection-string.js";
import type { TableKeyLayout } from "./entity-keys.js";
import { TableRecordStore } from "./table-record-store.js";

/** Options of a table adapter's `fromConnectionString`, beside its own. */
export interface TableConnectionOptions {
  /** Passed to the `TableClient` (retry options, user agent…). */
  clientOptions?: TableServiceClientOptions;
}

/** What core takes beside the store and logger, and the key layouts of the store, from an adapter's options. */
export interface TableRoleOptions extends Omit<RecordLeaserOptions & RecordCheckpointerOptions, "store" | "logger"> {
  /** Key layouts of kinds not kept in eph's layout (see {@link TableRecordStore}). */
  readonly layouts?: Partial<Record<RecordKind, TableKeyLayout>>;
}

/** Which adapter: its class name, option names and default logger, and what its own options configure. */
export interface TableRole<O> extends AdapterSpec {
  /** Core's and the store's settings from the checked options. */
  configure(options: O): TableRoleOptions;
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
  role: TableRole<O>,
): [(...args: Args<O>) => RecordLeaserOptions & RecordCheckpointerOptions, Connect<Args<O>, TableConnectArgs<O>>] {
  const build = (tableClient: TableClient, options?: O) => {
    const o = adapterOptions(role, options);
    const { layouts, ...core } = role.configure(o);
    const store = new TableRecordStore(tableClient, { logger: o.logger, layouts });
    return { ...core, store, logger: o.logger, name: role.name };
  };
  const connect = (connectionString: string, tableName: string, options?: O & TableConnectionOptions): Args<O> => {
    const { clientOptions, ...rest } = adapterOptions(role, options, ["clientOptions"]);
    return [tableClientFromConnectionString(connectionString, tableName, clientOptions), rest as unknown as O];
  };
  return [build, connect];
}

/** The table a table adapter's record store uses. */
export function tableNameOf(records: unknown): string {
  return (records as TableRecordStore).tableName;
}
