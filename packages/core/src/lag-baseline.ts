import { throwIfAborted } from "./errors.js";
import type { Logger } from "./logger.js";
import type { EnsureCheckpointOptions } from "./store.js";

/**
 * The lag baseline of a checkpoint record written without a position: the partition's last enqueued
 * sequence number, asked through `options.lastEnqueuedSequenceNumber` (the host asks Event Hubs).
 * `undefined` when the option is absent, the partition is empty (-1), or the answer fails or is not a
 * sequence number: the fence matters more than a lag reader's view, so the caller goes on (logged).
 * Only an abort of the caller's own signal is thrown.
 */
export async function lagBaseline(
  options: EnsureCheckpointOptions | undefined,
  partitionId: string,
  logger: Logger,
): Promise<number | undefined> {
  const ask = options?.lastEnqueuedSequenceNumber;
  if (typeof ask !== "function") return undefined;
  let last: unknown;
  try {
    last = await ask({ abortSignal: options?.abortSignal });
  } catch (error) {
    throwIfAborted(options?.abortSignal);
    // Name and code only: the message of a client error is not core's to vouch for (it may quote secrets).
    const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
    logger.warning(
      `The last enqueued sequence number of partition "${partitionId}" is unknown (${String(name)} ${String(code)}); lag readers count its whole history until the first checkpoint.`,
    );
    return undefined;
  }
  if (typeof last === "number" && Number.isSafeInteger(last) && last >= -1) return last === -1 ? undefined : last;
  logger.warning(
    `The last enqueued sequence number of partition "${partitionId}" is ${String(last)}, not an integer >= -1; it is not kept.`,
  );
  return undefined;
}
