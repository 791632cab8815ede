import type { ContainerClient } from "@azure/storage-blob";

/**
 * The lag KEDA's Azure Event Hubs scaler computes for one partition with `checkpointStrategy:
 * blobMetadata`, mirrored rule for rule from kedacore/keda (commit 8b4f083, 2026-08-20):
 * - `pkg/scalers/azure/azure_eventhub_checkpoint.go`: `blobMetadataCheckpointer.resolvePath` (blob
 *   `<namespace>/<hub>/<lower-cased consumer group>/checkpoint/<partition id>`: namespace and hub as
 *   configured, NOT lower-cased) and `getCheckpointFromStorageMetadata` (metadata `sequencenumber`,
 *   looked up as `sequencenumber` or `Sequencenumber`, parsed with `strconv.ParseInt(s, 10, 64)`;
 *   missing or unparsable is an error; `offset` is not read);
 * - `pkg/scalers/azure_eventhub_scaler.go`: `GetUnprocessedEventCountInPartition` (an empty partition,
 *   last enqueued -1, is 0 before any blob is read; a missing blob or container counts
 *   `GetUnprocessedEventCountWithoutCheckpoint`; any other failure fails the whole trigger) and
 *   `calculateUnprocessedEvents` (last - checkpoint when last >= checkpoint, else the int64 wrap-around
 *   count, and 0 when above `MaxInt64 - stalePartitionInfoThreshold`, default 10 000).
 * Arithmetic is on int64, as in Go (BigInt here, wrapped to 64 bits).
 */
export interface KedaPartition {
  readonly partitionId: string;
  readonly beginningSequenceNumber: number;
  readonly lastEnqueuedSequenceNumber: number;
}

/** What the ScaledObject names: the hub as KEDA is configured with it. */
export interface KedaTrigger {
  readonly fullyQualifiedNamespace: string;
  readonly eventHubName: string;
  /** Default `$Default`, lower-cased by KEDA. */
  readonly consumerGroup?: string;
  readonly stalePartitionInfoThreshold?: number;
}

/** KEDA's result for one partition: a count, or the error that fails the whole trigger. */
export type KedaLag = { readonly lag: number } | { readonly error: string };

const MAX_INT64 = (1n << 63n) - 1n;
const int64 = (value: bigint): bigint => BigInt.asIntN(64, value);

/** `strconv.ParseInt(text, 10, 64)`: an optional sign, decimal digits, within int64; else undefined. */
function parseInt64(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value > MAX_INT64 || value < -MAX_INT64 - 1n ? undefined : value;
}

/** `GetUnprocessedEventCountWithoutCheckpoint`. */
function withoutCheckpoint(begin: bigint, last: bigint): bigint {
  if ((begin === 0n && last === 0n) || begin !== last) return int64(last - begin + 1n);
  return 0n;
}

/** KEDA's `blobMetadata` lag for one partition, read from the container KEDA is given. */
export async function kedaLag(container: ContainerClient, trigger: KedaTrigger, p: KedaPartition): Promise<KedaLag> {
  const last = BigInt(p.lastEnqueuedSequenceNumber);
  if (last === -1n) return { lag: 0 };
  const group = (trigger.consumerGroup ?? "$Default").toLowerCase();
  const path = `${trigger.fullyQualifiedNamespace}/${trigger.eventHubName}/${group}/checkpoint/${p.partitionId}`;
  let metadata: Record<string, string> | undefined;
  try {
    metadata = (await container.getBlobClient(path).getProperties()).metadata;
  } catch (error) {
    const code = (error as { statusCode?: number }).statusCode;
    if (code === 404) return { lag: Number(withoutCheckpoint(BigInt(p.beginningSequenceNumber), last)) };
    throw error;
  }
  // The Go SDK hands KEDA the header names canonicalised (`Sequencenumber`); KEDA tries both spellings,
  // so any casing of the stored key is found.
  const entry = Object.entries(metadata ?? {}).find(([key]) => key.toLowerCase() === "sequencenumber");
  if (!entry) return { error: "sequencenumber on blob not found" };
  const checkpoint = parseInt64(entry[1]);
  if (checkpoint === undefined) return { error: "sequencenumber is not a valid int64 value" };
  const stale = BigInt(trigger.stalePartitionInfoThreshold ?? 10_000);
  const count = last >= checkpoint ? int64(last - checkpoint) : int64(MAX_INT64 - checkpoint + last);
  return { lag: count > MAX_INT64 - stale ? 0 : Number(count) };
}

/** The sum over partitions, as `GetMetricsAndActivity` adds them (an error fails the whole trigger). */
export async function kedaTotalLag(
  container: ContainerClient,
  trigger: KedaTrigger,
  partitions: readonly KedaPartition[],
): Promise<KedaLag> {
  let total = 0n;
  for (const p of partitions) {
    const one = await kedaLag(container, trigger, p);
    if ("error" in one) return one;
    total = int64(total + BigInt(one.lag));
  }
  return { lag: total < 0n ? Number(MAX_INT64) : Number(total) };
}
