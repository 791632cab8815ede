/** Who handled an event, and when. */
export interface Handling {
  readonly member: string;
  readonly epoch: number;
  readonly t: number;
}

/** An event handled more than once. */
export interface Duplicate {
  readonly partitionId: string;
  readonly sequenceNumber: number;
  /** The handling before this one. */
  readonly previous: Handling;
  readonly again: Handling;
}

/** Every handling of every event, by partition and sequence number. */
export class EventLedger {
  private readonly first = new Map<string, (Handling | undefined)[]>();
  private readonly latest = new Map<string, Map<number, Handling>>();
  /** Every handling after the first of the same event. */
  readonly duplicates: Duplicate[] = [];
  /** All handlings, per partition, in the order they were read (for the overlap check). */
  readonly byPartition = new Map<string, { seq: number; h: Handling }[]>();
  handled = 0;

  constructor(private readonly keepAll = false) {}

  /** Records one handling. */
  add(partitionId: string, sequenceNumber: number, handling: Handling): void {
    this.handled++;
    let firsts = this.first.get(partitionId);
    if (!firsts) {
      firsts = [];
      this.first.set(partitionId, firsts);
    }
    if (this.keepAll) {
      let all = this.byPartition.get(partitionId);
      if (!all) {
        all = [];
        this.byPartition.set(partitionId, all);
      }
      all.push({ seq: sequenceNumber, h: handling });
    }
    const seen = firsts[sequenceNumber];
    if (seen === undefined) {
      firsts[sequenceNumber] = handling;
      return;
    }
    let again = this.latest.get(partitionId);
    if (!again) {
      again = new Map();
      this.latest.set(partitionId, again);
    }
    const previous = again.get(sequenceNumber) ?? seen;
    again.set(sequenceNumber, handling);
    this.duplicates.push({ partitionId, sequenceNumber, previous, again: handling });
  }

  /** Sequence numbers 0..lastSequenceNumber of the partition never handled. */
  missing(partitionId: string, lastSequenceNumber: number): number[] {
    const firsts = this.first.get(partitionId) ?? [];
    const out: number[] = [];
    for (let s = 0; s <= lastSequenceNumber; s++) if (firsts[s] === undefined) out.push(s);
    return out;
  }

  /** Duplicates whose repeat handling happened in [from, to). */
  duplicatesBetween(from: number, to: number): Duplicate[] {
    return this.duplicates.filter((d) => d.again.t >= from && d.again.t < to);
  }
}
