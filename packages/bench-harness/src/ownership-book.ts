/** One stretch of time during which a member read a partition. */
export interface ReadingInterval {
  readonly partitionId: string;
  readonly member: string;
  readonly epoch: number;
  readonly from: number;
  /** Undefined while still reading. */
  to: number | undefined;
}

/**
 * Who reads which partition, built from the members' open/close records (and kills, which close
 * everything the member read). Keeps every interval for the ownership chart.
 */
export class OwnershipBook {
  private readonly open = new Map<string, Map<string, ReadingInterval>>();
  private readonly lastReader = new Map<string, string>();
  /** Members killed, with the time: their records are read after the fact and must not reopen anything. */
  private readonly goneAt = new Map<string, number>();
  /** Every reading interval, in the order they started. */
  readonly intervals: ReadingInterval[] = [];
  /** Time of the latest open or close. */
  lastChangeAt = 0;
  /** Opens by a member other than the partition's previous reader (ownership moves), with their time. */
  readonly moves: { readonly partitionId: string; readonly member: string; readonly t: number }[] = [];

  /** A member started reading a partition. */
  opened(member: string, partitionId: string, epoch: number, t: number): void {
    if (this.lastReader.get(partitionId) !== member) this.moves.push({ partitionId, member, t });
    this.lastReader.set(partitionId, member);
    const gone = this.goneAt.get(member);
    if (gone !== undefined) {
      this.intervals.push({ partitionId, member, epoch, from: t, to: Math.max(t, gone) });
      return;
    }
    let readers = this.open.get(partitionId);
    if (!readers) {
      readers = new Map();
      this.open.set(partitionId, readers);
    }
    const stale = readers.get(member);
    if (stale) stale.to = t;
    const interval: ReadingInterval = { partitionId, member, epoch, from: t, to: undefined };
    readers.set(member, interval);
    this.intervals.push(interval);
    this.lastChangeAt = Math.max(this.lastChangeAt, t);
  }

  /** A member stopped reading a partition. */
  closed(member: string, partitionId: string, t: number): void {
    const readers = this.open.get(partitionId);
    const interval = readers?.get(member);
    if (!interval) return;
    interval.to = t;
    readers!.delete(member);
    this.lastChangeAt = Math.max(this.lastChangeAt, t);
  }

  /** A member died: it reads nothing from `t` on. */
  gone(member: string, t: number): void {
    this.goneAt.set(member, t);
    for (const partitionId of this.partitionsOf(member)) this.closed(member, partitionId, t);
  }

  /** Members reading the partition now. */
  readersOf(partitionId: string): string[] {
    return [...(this.open.get(partitionId)?.keys() ?? [])];
  }

  /** Partitions the member reads now. */
  partitionsOf(member: string): string[] {
    const out: string[] = [];
    for (const [p, readers] of this.open) if (readers.has(member)) out.push(p);
    return out;
  }

  /**
   * True when every partition is read by exactly one of `live`, and each of them reads its fair share
   * (the floor or ceiling of partitions / members).
   */
  isBalanced(live: readonly string[], partitionIds: readonly string[]): boolean {
    if (live.length === 0) return false;
    const counts = new Map(live.map((m) => [m, 0]));
    for (const p of partitionIds) {
      const readers = this.readersOf(p);
      if (readers.length !== 1) return false;
      const m = readers[0]!;
      const c = counts.get(m);
      if (c === undefined) return false;
      counts.set(m, c + 1);
    }
    const lo = Math.floor(partitionIds.length / live.length);
    const hi = Math.ceil(partitionIds.length / live.length);
    return [...counts.values()].every((c) => c >= lo && c <= hi);
  }
}
