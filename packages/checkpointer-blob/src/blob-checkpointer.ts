import { createClientLogger } from "@azure/logger";
import type { ContainerClient } from "@azure/storage-blob";
import { BlobRecordStore, blobAdapter, type ConnectionOptions, containerNameOf, storedAsIs } from "@eph/blob-common";
import {
  type AdapterLogging,
  type AdapterRole,
  type Checkpoint,
  checkChoice,
  checkpointerClass,
  EphError,
  type UpdateCheckpointOptions,
} from "@eph/core";
import { type CheckpointLayout, ephCodec, officialCodec } from "./checkpoint-layout.js";
import { CarryOverStore } from "./legacy-carry-over.js";

/**
 * Options of {@link BlobCheckpointer}: `logger`, where the checkpointer logs (carried-over records,
 * transient failures; `console` works), default `createClientLogger("eph:checkpointer-blob")` from
 * `@azure/logger`, controlled by `AZURE_LOG_LEVEL`; and `layout`.
 */
export interface BlobCheckpointerOptions extends AdapterLogging {
  /**
   * How checkpoints are named and stored: `"eph"` (default) or `"checkpointstore-blob"`, the layout of
   * `@azure/eventhubs-checkpointstore-blob`, for moving from (or back to) `EventHubConsumerClient` with
   * the positions kept. See {@link CheckpointLayout}.
   */
  layout?: CheckpointLayout;
}

/** Options of {@link BlobCheckpointer.fromConnectionString}: the checkpointer's, `clientOptions` and `allowInsecureConnection`. */
export interface BlobCheckpointerConnectionOptions extends BlobCheckpointerOptions, ConnectionOptions {}

const role: AdapterRole<ContainerClient, BlobCheckpointerOptions> = {
  name: "BlobCheckpointer",
  options: ["layout"],
  logger: () => createClientLogger("eph:checkpointer-blob"),
  configure(containerClient, { layout, logger }) {
    const official = checkChoice(layout, ["eph", "checkpointstore-blob"], "options.layout") === "checkpointstore-blob";
    // Only the default layout reads eph 0.1's records (the official layout never had any).
    return official
      ? { codec: officialCodec, store: new BlobRecordStore(containerClient, { logger }) }
      : { codec: ephCodec, store: new CarryOverStore(containerClient, logger) };
  },
};

/**
 * A {@link Checkpointer} over Azure Blob Storage through `@azure/storage-blob`: core's checkpoint
 * protocol (fences, no regression, one conditional write per update) over a {@link BlobRecordStore},
 * one empty block blob per partition whose metadata hold the fence and the position, in a layout KEDA
 * and the official checkpoint store read (see {@link CheckpointLayout}).
 * `new BlobCheckpointer(containerClient, options)` wraps a `ContainerClient`: the caller keeps its own
 * credentials, retry and transport settings; `BlobCheckpointer.fromConnectionString(connectionString,
 * containerName, options)` builds one (see `@eph/blob-common`).
 */
export class BlobCheckpointer extends checkpointerClass(...blobAdapter(role)) {
  /** The container this checkpointer uses. */
  get containerName(): string {
    return containerNameOf(this.records);
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
