import { TableCheckpointer } from "@eph/checkpointer-table";
import type { Checkpointer, Leaser } from "@eph/core";
import { BlobLeaser } from "@eph/leaser-blob";
import { TableLeaser } from "@eph/leaser-table";
import type { EphStoreConfig } from "./worker-config.js";

/** The part of `@eph/checkpointer-blob` the harness uses. */
interface BlobCheckpointerModule {
  readonly BlobCheckpointer: {
    fromConnectionString(connectionString: string, container: string): Checkpointer;
  };
}

async function blobCheckpointerModule(): Promise<BlobCheckpointerModule | undefined> {
  const mod = (await import("@eph/checkpointer-blob")) as unknown as Partial<BlobCheckpointerModule>;
  return typeof mod.BlobCheckpointer?.fromConnectionString === "function" ? (mod as BlobCheckpointerModule) : undefined;
}

/**
 * The store kind the benchmark uses by default: blob (the same service as the official store) when
 * both blob stores are built, table otherwise.
 */
export async function defaultStoreKind(): Promise<EphStoreConfig["kind"]> {
  return (await blobCheckpointerModule()) ? "blob" : "table";
}

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
  const mod = await blobCheckpointerModule();
  if (!mod) throw new Error("@eph/checkpointer-blob exports no BlobCheckpointer yet; use the table stores.");
  return {
    leaser: BlobLeaser.fromConnectionString(config.leaseConnectionString, config.leaseContainer),
    checkpointer: mod.BlobCheckpointer.fromConnectionString(
      config.checkpointConnectionString,
      config.checkpointContainer,
    ),
  };
}

/** Creates a checkpointer that only reads (the soak's independent view of the stored positions). */
export async function createCheckpointReader(
  kind: EphStoreConfig["kind"],
  connectionString: string,
  container: string,
): Promise<Checkpointer> {
  if (kind === "table") return TableCheckpointer.fromConnectionString(connectionString, container);
  const mod = await blobCheckpointerModule();
  if (!mod) throw new Error("@eph/checkpointer-blob exports no BlobCheckpointer yet; use the table stores.");
  return mod.BlobCheckpointer.fromConnectionString(connectionString, container);
}
