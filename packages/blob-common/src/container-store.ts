import type { ContainerClient } from "@azure/storage-blob";
import { type EphError, type Logger, throwIfAborted } from "@eph/core";
import { classifyFailure, type StoreFailure, toEphError } from "./blob-request-error.js";
import { validateContainerClient } from "./connection-string.js";
import { containerExists, ensureContainer } from "./container-provisioning.js";

/**
 * One blob adapter's container: the container-level operations of the store contract (`storeExists`,
 * `ensureStore`, `deleteStore`) and the mapping of any failed request to the contract's errors, so the
 * leaser and the checkpointer answer them identically.
 */
export class ContainerStore {
  /** The container the adapter reads and writes. */
  readonly container: ContainerClient;
  private readonly logger: Logger;

  /** Wraps `containerClient` (`InvalidOption` unless it is a `ContainerClient`); failures are logged to `logger`. */
  constructor(containerClient: unknown, logger: Logger) {
    this.container = validateContainerClient(containerClient);
    this.logger = logger;
  }

  /** The container's name. */
  get containerName(): string {
    return this.container.containerName;
  }

  /**
   * The contract's error for a failure the caller has no specific answer for (`Aborted`, `StoreNotFound`
   * or `StoreUnavailable`); `StoreUnavailable` is logged as a warning, since the caller will retry it.
   */
  fail(failure: StoreFailure, operation: string, partitionId?: string, signal?: AbortSignal): EphError {
    const error = toEphError(failure, operation, this.container.containerName, partitionId, signal);
    if (error.code === "StoreUnavailable") this.logger.warning(error.message);
    return error;
  }

  /** Whether the container exists (asked with a one-blob listing, which a container-scoped SAS may do). */
  async exists(signal?: AbortSignal): Promise<boolean> {
    throwIfAborted(signal);
    try {
      return await containerExists(this.container, signal);
    } catch (error) {
      throw this.fail(classifyFailure(error, signal), "storeExists", undefined, signal);
    }
  }

  /**
   * Creates the container if it is missing; concurrent calls from many hosts all succeed. A credential
   * that may not create containers (a SAS scoped to the container) succeeds when the container exists.
   */
  async ensure(signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    try {
      await ensureContainer(this.container, signal);
    } catch (error) {
      throw this.fail(classifyFailure(error, signal), "ensureStore", undefined, signal);
    }
  }

  /** Deletes the container and everything in it; no error if it does not exist. */
  async delete(signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    try {
      await this.container.deleteIfExists({ abortSignal: signal });
    } catch (error) {
      throw this.fail(classifyFailure(error, signal), "deleteStore", undefined, signal);
    }
  }
}
