/**
 * Counts what the demo sent and what the hosts processed, per partition, to prove that nothing was
 * lost and to count duplicates (an event processed again by a new owner after a crash).
 */
export class DemoLedger {
  private readonly sent = new Map<string, number>();
  private readonly seen = new Map<string, Set<number>>();
  private deliveries = 0;
  private duplicateCount = 0;

  constructor(partitionIds: readonly string[]) {
    for (const id of partitionIds) {
      this.sent.set(id, 0);
      this.seen.set(id, new Set());
    }
  }

  /** Records `count` events accepted by the hub on a partition. */
  recordSent(partitionId: string, count: number): void {
    this.sent.set(partitionId, (this.sent.get(partitionId) ?? 0) + count);
  }

  /**
   * Sets the count sent to a partition to what the hub holds (its last sequence number + 1): a send
   * whose acknowledgement was lost may still have been stored, and the hub is the judge.
   */
  reconcileSent(partitionId: string, count: number): void {
    this.sent.set(partitionId, Math.max(0, count));
  }

  /** Records an event a host completed; returns true when it had been processed before (a duplicate). */
  recordProcessed(partitionId: string, sequenceNumber: number): boolean {
    this.deliveries++;
    let seen = this.seen.get(partitionId);
    if (!seen) {
      seen = new Set();
      this.seen.set(partitionId, seen);
    }
    if (seen.has(sequenceNumber)) {
      this.duplicateCount++;
      return true;
    }
    seen.add(sequenceNumber);
    return false;
  }

  /** Events the hub accepted. */
  get sentCount(): number {
    let n = 0;
    for (const v of this.sent.values()) n += v;
    return n;
  }

  /** Distinct events processed. */
  get processedCount(): number {
    let n = 0;
    for (const s of this.seen.values()) n += s.size;
    return n;
  }

  /** Deliveries to handlers, duplicates included. */
  get deliveryCount(): number {
    return this.deliveries;
  }

  /** Deliveries of an event already processed. */
  get duplicates(): number {
    return this.duplicateCount;
  }

  /**
   * Events sent but never processed. The partitions start empty, so the events sent to a partition
   * carry sequence numbers 0 .. sent - 1.
   */
  missing(): { partitionId: string; sequenceNumbers: number[] }[] {
    const out: { partitionId: string; sequenceNumbers: number[] }[] = [];
    for (const [id, count] of this.sent) {
      const seen = this.seen.get(id) ?? new Set<number>();
      const gone: number[] = [];
      for (let seq = 0; seq < count; seq++) if (!seen.has(seq)) gone.push(seq);
      if (gone.length > 0) out.push({ partitionId: id, sequenceNumbers: gone });
    }
    return out;
  }

  /** Number of events sent but not yet processed. */
  get outstanding(): number {
    return this.sentCount - this.processedCount;
  }
}
