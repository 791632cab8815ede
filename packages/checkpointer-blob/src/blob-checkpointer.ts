import { createClientLogger } from "@azure/logger";
import type { ContainerClient } from "@azure/storage-blob";
import {
  BlobRecordStore,
  type ConnectionOptions,
  containerClientFromConnectionString,
  storedAsIs,
} from "@eph/blob-common";
import {
  type Checkpoint,
  checkedLogger,
  checkOptions,
  EphError,
  type Logger,
  RecordCheckpointer,
  type UpdateCheckpointOptions,
} from "@eph/core";
import { type CheckpointLayout, ephCodec, officialCodec } from "./checkpoint-layout.js";
import { CarryOverStore } from "./legacy-carry-over.js";

/** Options of {@link BlobCheckpointer}. */
export interface BlobCheckpointerOptions {
  /**
   * How checkpoints are named and stored: `"eph"` (default) or `"checkpointstore-blob"`, the layout of
   * `@azure/eventhubs-checkpointstore-blob`, for moving from (or back to) `EventHubConsumerClient` with
   * the positions kept. See {@link CheckpointLayout}.
   */
  layout?: CheckpointLayout;
  /**
   * Where the checkpointer logs (carried-over records, transient failures); `console` works. Defaults to
   * `createClientLogger("eph:checkpointer-blob")` from `@azure/logger`, controlled by `AZURE_LOG_LEVEL`.
   */
  logger?: Logger | Console;
}

/** Options of {@link BlobCheckpointer.fromConnectionString}. */
export interface BlobCheckpointerConnectionOptions extends BlobCheckpointerOptions, ConnectionOptions {}

const names = ["layout", "logger"] as const;

/**
 * A {@link Checkpointer} over Azure Blob Storage through `@azure/storage-blob`: core's checkpoint
 * protocol (fences, no regression, one conditional write per update) over a {@link BlobRecordStore},
 * one empty block blob per partition whose metadata hold the fence and the position, in a layout KEDA
 * and the official checkpoint store read (see {@link CheckpointLayout}).
 */
export class BlobCheckpointer extends RecordCheckpointer {
  /** The container this checkpointer uses. */
  readonly containerName: string;

  /** Wraps a `ContainerClient`; the caller keeps its own credentials, retry and transport settings. */
  constructor(containerClient: ContainerClient, options?: BlobCheckpointerOptions) {
    const o = checkOptions(options, [...names], "BlobCheckpointer");
    const official = checkLayout(o.layout) === "checkpointstore-blob";
    const logger = checkedLogger(o.logger ?? createClientLogger("eph:checkpointer-blob"), "options.logger");
    const store = official
      ? new BlobRecordStore(containerClient, { logger })
      : new CarryOverStore(containerClient, logger);
    super({ store, logger, name: "BlobCheckpointer", codec: official ? officialCodec : ephCodec });
    this.containerName = store.containerName;
  }

  /**
   * Creates a checkpointer for container `containerName` of the account a storage connection string
   * names (account key, SAS, or `UseDevelopmentStorage=true`). The container name is checked before any
   * network call; plain-http endpoints are accepted only on loopback (Azurite) unless
   * `allowInsecureConnection` is set. The connection string never appears in errors or logs.
   */
  static fromConnectionString(
    connectionString: string,
    containerName: string,
    options?: BlobCheckpointerConnectionOptions,
  ): BlobCheckpointer {
    const known = [...names, "clientOptions", "allowInsecureConnection"] as const;
    const { clientOptions, allowInsecureConnection, ...rest } = checkOptions(options, [...known], "BlobCheckpointer");
    checkLayout(rest.layout);
    const client = containerClientFromConnectionString(connectionString, containerName, {
      clientOptions,
      allowInsecureConnection,
    });
    return new BlobCheckpointer(client, rest);
  }

  /**
   * Core's `updateCheckpoint`, with the offset first checked to be what KEDA and the official store can
   * read as it is stored (non-empty printable ASCII without `%` or surrounding spaces): `InvalidOption` otherwise.
   */
  override async updateCheckpoint(
    partitionId: string,
    checkpoint: Checkpoint,
    options: UpdateCheckpointOptions,
  ): Promise<void> {
    const offset: unknown = (checkpoint as Partial<Checkpoint> | undefined)?.offset;
    // KEDA and the official store read the offset as it is stored, so it must need no encoding.
    if (typeof offset === "string" && (!storedAsIs(offset) || offset.length > 1024)) {
      throw new EphError(
        "InvalidOption",
        `checkpoint.offset ${JSON.stringify(offset.slice(0, 100))} must be a non-empty string of printable ASCII without % or surrounding spaces.`,
        { partitionId },
      );
    }
    return super.updateCheckpoint(partitionId, checkpoint, options);
  }
}

function checkLayout(layout: unknown): CheckpointLayout {
  if (layout === undefined || layout === "eph" || layout === "checkpointstore-blob") return layout ?? "eph";
  throw new EphError(
    "InvalidOption",
    `options.layout must be "eph" or "checkpointstore-blob", got ${JSON.stringify(layout)}.`,
  );
}
