import type {
  Checkpoint,
  Checkpointer,
  EnsureCheckpointOptions,
  HostInfo,
  OperationOptions,
  UpdateCheckpointOptions,
} from "@eph/core";
import type { DeliveryLogWriter } from "./delivery-log.js";

/**
 * A checkpointer that logs every write and its outcome, so the soak can tell whether the store ever
 * accepted a position from an owner that had already been fenced out.
 */
export class RecordingCheckpointer implements Checkpointer {
  /** The inner checkpointer's fence, when it reports one (without it hosts wait out every handoff). */
  readonly getFence?: (partitionId: string, options?: OperationOptions) => Promise<number>;

  constructor(
    private readonly inner: Checkpointer,
    private readonly log: DeliveryLogWriter,
  ) {
    const getFence = inner.getFence?.bind(inner);
    if (getFence) this.getFence = getFence;
  }

  setEventProcessorHost(info: HostInfo): void {
    this.inner.setEventProcessorHost(info);
  }
  storeExists(options?: OperationOptions): Promise<boolean> {
    return this.inner.storeExists(options);
  }
  ensureStore(options?: OperationOptions): Promise<void> {
    return this.inner.ensureStore(options);
  }
  deleteStore(options?: OperationOptions): Promise<void> {
    return this.inner.deleteStore(options);
  }
  getCheckpoint(partitionId: string, options?: OperationOptions): Promise<Checkpoint | undefined> {
    return this.inner.getCheckpoint(partitionId, options);
  }
  ensureCheckpoint(partitionId: string, options?: EnsureCheckpointOptions): Promise<Checkpoint | undefined> {
    return this.inner.ensureCheckpoint(partitionId, options);
  }
  async updateCheckpoint(partitionId: string, checkpoint: Checkpoint, options: UpdateCheckpointOptions): Promise<void> {
    const t0 = Date.now();
    let result = "ok";
    try {
      await this.inner.updateCheckpoint(partitionId, checkpoint, options);
    } catch (error) {
      result = String((error as { code?: unknown } | null)?.code ?? "error");
      throw error;
    } finally {
      this.log.write({
        k: "K",
        p: partitionId,
        seq: checkpoint.sequenceNumber,
        epoch: options.epoch,
        t0,
        t: Date.now(),
        result,
      });
    }
  }
  deleteCheckpoint(partitionId: string, options?: OperationOptions): Promise<void> {
    return this.inner.deleteCheckpoint(partitionId, options);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
