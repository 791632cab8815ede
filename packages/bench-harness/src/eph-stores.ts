import { BlobCheckpointer } from "@eph/checkpointer-blob";
import { TableCheckpointer } from "@eph/checkpointer-table";
import type { Checkpointer, Leaser } from "@eph/core";
import { BlobLeaser } from "@eph/leaser-blob";
import { TableLeaser } from "@eph/leaser-table";
import type { EphStoreConfig } from "./worker-config.js";

/** The store kind the benchmark and the soak use by default: blob, the same service as the official store. */
export const DEFAULT_STORE_KIND: EphStoreConfig["kind"] = "blob";

/** Creates the leaser and checkpointer an eph worker runs with. */
export async function createEphStores(config: EphStoreConfig): Promise<{ leaser: Leaser; checkpointer: Checkpointer }> {
  if (config.kind === "table") {
    return {
      leaser: TableLeaser.fromConnectionString(config.leaseConnectionString, config.leaseContainer),
      checkpointer: TableCheckpointer.fromConnectionString(
        config.checkpointConnectionString,
        config.checkpointContainer,
      ),
    };
  }
  return {
    leaser: BlobLeaser.fromConnectionString(config.leaseConnectionString, config.leaseContainer),
    checkpointer: BlobCheckpointer.fromConnectionString(config.checkpointConnectionString, config.checkpointContainer),
  };
}

/** Creates a checkpointer that only reads (the soak's independent view of the stored positions). */
export async function createCheckpointReader(
  kind: EphStoreConfig["kind"],
  connectionString: string,
  container: string,
): Promise<Checkpointer> {
  if (kind === "table") return TableCheckpointer.fromConnectionString(connectionString, container);
  return BlobCheckpointer.fromConnectionString(connectionString, container);
}
