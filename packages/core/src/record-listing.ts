import type { Logger } from "./logger.js";
import type { VersionedRecord } from "./record-store.js";

/**
 * What one listed item (a blob, an entity, a row) is to a store's `list`: a record, `undefined` for an
 * item of a kind not asked for, or why it is not a record (`{ skipped: 'the blob "x": its metadata …' }`).
 */
export type ListedItem = VersionedRecord | undefined | { readonly skipped: string };

/**
 * Every record of a listing, page after page: how each store's `list` reads its store's paged answer
 * (List Blobs, a table query, the rows of one statement). An item that is not a record is logged as a
 * warning and left out, as the contract asks: one damaged record never hides the others (a `read` of it
 * rejects `CorruptRecord`).
 */
export async function listedRecords<P, I>(
  pages: AsyncIterable<P> | Iterable<P>,
  items: (page: P) => Iterable<I>,
  read: (item: I) => ListedItem,
  logger: Logger,
): Promise<VersionedRecord[]> {
  const records: VersionedRecord[] = [];
  for await (const page of pages) {
    for (const item of items(page)) {
      const listed = read(item);
      if (listed !== undefined && "skipped" in listed) logger.warning(`list skipped ${listed.skipped}.`);
      else if (listed !== undefined) records.push(listed);
    }
  }
  return records;
}
