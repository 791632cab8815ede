import type { ContainerClient } from "@azure/storage-blob";
import { ensureCreated } from "@eph/core";
import { classifyFailure } from "./blob-request-error.js";

/**
 * Whether the container exists, asked with a one-blob listing rather than Get Container Properties:
 * a SAS scoped to the container (the least privilege eph needs) may list blobs but not read the
 * container's properties. Rethrows the SDK's error for anything but "container not found".
 */
export async function containerExists(container: ContainerClient, signal: AbortSignal | undefined): Promise<boolean> {
  try {
    await container.listBlobsFlat({ abortSignal: signal }).byPage({ maxPageSize: 1 }).next();
    return true;
  } catch (error) {
    if (classifyFailure(error, signal).kind === "storeNotFound") return false;
    throw error;
  }
}

/**
 * Creates the container if it is missing (core's `ensureCreated`). `createIfNotExists` treats 409
 * ContainerAlreadyExists (another host won the race) as success. A credential that may not create
 * containers (403, e.g. a SAS scoped to the container) is fine as long as the container exists.
 * Rethrows the SDK's error otherwise.
 */
export async function ensureContainer(container: ContainerClient, signal: AbortSignal | undefined): Promise<void> {
  await ensureCreated(
    () => container.createIfNotExists({ abortSignal: signal }),
    (error) => classifyFailure(error, signal).cause.statusCode === 403,
    () => containerExists(container, signal),
  );
}
