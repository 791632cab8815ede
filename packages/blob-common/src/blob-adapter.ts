import type { ContainerClient } from "@azure/storage-blob";
import {
  type AdapterLogging,
  type AdapterSpec,
  adapterOptions,
  type Connect,
  type Logger,
  type RecordCheckpointerOptions,
  type RecordLeaserOptions,
  type RecordStore,
} from "@eph/core";
import { BlobRecordStore } from "./blob-record-store.js";
import { type ConnectionOptions, containerClientFromConnectionString } from "./connection-string.js";

/** What core takes from a blob adapter's options: its store, and the checkpointer's codec. */
export interface BlobRoleOptions extends Omit<RecordLeaserOptions & RecordCheckpointerOptions, "logger" | "store"> {
  /** The store over the container (default a {@link BlobRecordStore} in eph's folders). */
  readonly store?: RecordStore | undefined;
}

/** Which adapter: its class name, option names and default logger, and what its own options configure. */
export interface BlobRole<O> extends AdapterSpec {
  /** Core's settings and the store from the checked options. */
  configure(options: O, containerClient: ContainerClient, logger: Logger): BlobRoleOptions;
}

type Args<O> = [containerClient: ContainerClient, options?: O];

/** The arguments of a blob adapter's `fromConnectionString`. */
export type BlobConnectArgs<O> = [connectionString: string, containerName: string, options?: O & ConnectionOptions];

/**
 * How core builds the adapter of `role`: on a `ContainerClient`, which stays the caller's (its
 * credentials, retry and transport settings), or for container `containerName` of the account a storage
 * connection string names (account key, SAS or `UseDevelopmentStorage=true`; the container name checked
 * before any network call, plain http only on loopback unless `allowInsecureConnection`, the string never
 * quoted in errors).
 */
export function blobAdapter<O extends AdapterLogging>(
  role: BlobRole<O>,
): [(...args: Args<O>) => RecordLeaserOptions & RecordCheckpointerOptions, Connect<Args<O>, BlobConnectArgs<O>>] {
  const build = (containerClient: ContainerClient, options?: O) => {
    const o = adapterOptions(role, options);
    const { store, ...core } = role.configure(o, containerClient, o.logger);
    return {
      ...core,
      store: store ?? new BlobRecordStore(containerClient, { logger: o.logger }),
      logger: o.logger,
      name: role.name,
    };
  };
  const connect = (connectionString: string, containerName: string, options?: O & ConnectionOptions): Args<O> => {
    const known = ["clientOptions", "allowInsecureConnection"];
    const { clientOptions, allowInsecureConnection, ...rest } = adapterOptions(role, options, known);
    const client = containerClientFromConnectionString(connectionString, containerName, {
      clientOptions,
      allowInsecureConnection,
    });
    return [client, rest as unknown as O];
  };
  return [build, connect];
}

/** The container a blob adapter's record store uses. */
export function containerNameOf(records: unknown): string {
  return (records as BlobRecordStore).containerName;
}
