import type { ContainerClient } from "@azure/storage-blob";
import {
  type AdapterLogging,
  type AdapterRole,
  type Connect,
  type RecordCheckpointerOptions,
  type RecordLeaserOptions,
  resourceAdapter,
} from "@eph/core";
import type { BlobRecordStore } from "./blob-record-store.js";
import { type ConnectionOptions, containerClientFromConnectionString } from "./connection-string.js";

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
  role: AdapterRole<ContainerClient, O>,
): [(...args: Args<O>) => RecordLeaserOptions & RecordCheckpointerOptions, Connect<Args<O>, BlobConnectArgs<O>>] {
  const names = ["clientOptions", "allowInsecureConnection"] as const;
  return resourceAdapter<ContainerClient, O, ConnectionOptions>(role, names, containerClientFromConnectionString);
}

/** The container a blob adapter's record store uses. */
export function containerNameOf(records: unknown): string {
  return (records as BlobRecordStore).containerName;
}
