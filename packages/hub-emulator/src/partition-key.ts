/**
 * Maps a partition key to a partition index. The mapping is stable across runs and machines (32-bit FNV-1a
 * over the key's UTF-8 bytes) so events with one key always land together, as long as the partition count
 * stays the same — the same caveat Azure documents when partitions are added.
 */
export function partitionForKey(key: string, partitionCount: number): number {
  let hash = 0x811c9dc5;
  const bytes = Buffer.from(key, "utf8");
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i]!;
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitionCount;
}
