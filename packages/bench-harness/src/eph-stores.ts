import type { Checkpointer, Leaser } from "@eph/core";
import type { EphStoreConfig } from "./worker-config.js";

/** The store kind the benchmark and the soak use by default: blob, the same service as the official store. */
export const DEFAULT_STORE_KIND: EphStoreConfig["kind"] = "blob";

/**
 * Creates the leaser and checkpointer an eph worker runs with. Imports only the store kind used, so a
 * worker's start-up does not include loading the other kind's SDK.
 */
export async function createEphStores(config: EphStoreConfig): Promise<{ leaser: Leaser; checkpointer: Checkpointer }> {
  if (config.kind === "table") {
    const [{ TableLeaser }, { TableCheckpointer }] = await Promise.all([
      import("@eph/leaser-table"),
      import("@eph/checkpointer-table"),
    ]);
    return {
      leaser: TableLeaser.fromConnectionString(config.leaseConnectionString, config.leaseContainer),
      checkpointer: TableCheckpointer.fromConnectionString(
        config.checkpointConnectionString,
        config.checkpointContainer,
      ),
    };
  }
  const [{ BlobLeaser }, { BlobCheckpointer }] = await Promise.all([
    import("@eph/leaser-blob"),
    import("@eph/checkpointer-blob"),
  ]);
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
  if (kind === "table") {
    const { TableCheckpointer } = await import("@eph/checkpointer-table");
    return TableCheckpointer.fromConnectionString(connectionString, container);
  }
  const { BlobCheckpointer } = await import("@eph/checkpointer-blob");
  return BlobCheckpointer.fromConnectionString(connectionString, container);
}

/** Creates a leaser that only reads (lists the leases of a run after it ended). */
export async function createLeaseReader(
  kind: EphStoreConfig["kind"],
  connectionString: string,
  container: string,
): Promise<Leaser> {
  if (kind === "table") {
    const { TableLeaser } = await import("@eph/leaser-table");
    return TableLeaser.fromConnectionString(connectionString, container);
  }
  const { BlobLeaser } = await import("@eph/leaser-blob");
  return BlobLeaser.fromConnectionString(connectionString, container);
}
