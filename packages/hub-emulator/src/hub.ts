import { AmqpFailure, Condition } from "./amqp-error.js";
import type { ResolvedHub, ResolvedRetention } from "./options.js";
import { partitionForKey } from "./partition-key.js";
import { PartitionLog, type PartitionLogState } from "./partition-log.js";
import { ReaderSlot } from "./reader-slot.js";

const PARTITION_ID = /^(0|[1-9]\d{0,3})$/;

/** One Event Hub: its partitions, consumer groups and the readers attached to them. */
export class Hub {
  readonly name: string;
  readonly createdAtMs: number;
  readonly retention: ResolvedRetention;
  private readonly groups = new Map<string, string>();
  private readonly logs: PartitionLog[] = [];
  private readonly slots = new Map<string, ReaderSlot>();
  private roundRobin = 0;
  private readonly partitionAdded: (log: PartitionLog) => void;

  constructor(
    spec: ResolvedHub,
    createdAtMs: number,
    restored: ReadonlyArray<PartitionLogState | undefined>,
    partitionAdded: (log: PartitionLog) => void,
  ) {
    this.name = spec.name;
    this.createdAtMs = createdAtMs;
    this.retention = spec.retention;
    this.partitionAdded = partitionAdded;
    for (const group of spec.consumerGroups) this.groups.set(group.toLowerCase(), group);
    const count = Math.max(spec.partitions, restored.length);
    for (let i = 0; i < count; i++) this.addLog(restored[i]);
  }

  private addLog(state?: PartitionLogState): void {
    const log = new PartitionLog(String(this.logs.length), this.retention, state);
    this.logs.push(log);
    this.partitionAdded(log);
  }

  /** Partition ids "0".."n-1". */
  get partitionIds(): string[] {
    return this.logs.map((l) => l.partitionId);
  }

  /** Every partition. */
  get partitions(): readonly PartitionLog[] {
    return this.logs;
  }

  /** Consumer group names as configured. */
  get consumerGroups(): string[] {
    return [...this.groups.values()];
  }

  /** Adds `count` partitions at the end (Event Hubs only ever grows a hub). */
  addPartitions(count: number): string[] {
    const added: string[] = [];
    for (let i = 0; i < count; i++) {
      this.addLog();
      added.push(String(this.logs.length - 1));
    }
    return added;
  }

  /** Adds a consumer group (no-op when it exists). */
  addConsumerGroup(name: string): void {
    if (!this.groups.has(name.toLowerCase())) this.groups.set(name.toLowerCase(), name);
  }

  /** The partition with this id, or undefined. */
  partition(id: string): PartitionLog | undefined {
    return PARTITION_ID.test(id) ? this.logs[Number(id)] : undefined;
  }

  /** The partition with this id; throws the error Event Hubs gives for an invalid partition. */
  requirePartition(id: string): PartitionLog {
    const log = this.partition(id);
    if (!log) {
      throw new AmqpFailure(
        Condition.argumentOutOfRange,
        `The specified partition '${id}' is invalid for an EventHub partition sender or receiver. It should be between 0 and ${this.logs.length - 1}.`,
      );
    }
    return log;
  }

  /** The canonical name of a consumer group (names ignore case), or undefined. */
  consumerGroup(name: string): string | undefined {
    return this.groups.get(name.toLowerCase());
  }

  /** Where a publish without partition goes: by key hash, else round robin. */
  choosePartition(partitionKey: string | undefined): PartitionLog {
    if (partitionKey !== undefined) return this.logs[partitionForKey(partitionKey, this.logs.length)]!;
    const log = this.logs[this.roundRobin % this.logs.length]!;
    this.roundRobin = (this.roundRobin + 1) % this.logs.length;
    return log;
  }

  /** The reader slot of a partition in a consumer group. */
  slot(consumerGroup: string, partitionId: string): ReaderSlot {
    const key = `${consumerGroup.toLowerCase()}/${partitionId}`;
    let slot = this.slots.get(key);
    if (!slot) {
      slot = new ReaderSlot(`${this.name}/ConsumerGroups/${consumerGroup}/Partitions/${partitionId}`);
      this.slots.set(key, slot);
    }
    return slot;
  }

  /** Reader slots, optionally narrowed to one partition and/or consumer group. */
  slotsMatching(partitionId?: string, consumerGroup?: string): ReaderSlot[] {
    const result: ReaderSlot[] = [];
    for (const [key, slot] of this.slots) {
      const [group, pid] = key.split("/") as [string, string];
      if (partitionId !== undefined && pid !== partitionId) continue;
      if (consumerGroup !== undefined && group !== consumerGroup.toLowerCase()) continue;
      result.push(slot);
    }
    return result;
  }
}

/** Hub lookup that ignores case, as Event Hubs entity names do. */
export class HubDirectory {
  private readonly byName = new Map<string, Hub>();

  add(hub: Hub): void {
    this.byName.set(hub.name.toLowerCase(), hub);
  }

  get(name: string): Hub | undefined {
    return this.byName.get(name.toLowerCase());
  }

  all(): Hub[] {
    return [...this.byName.values()];
  }
}

/** The error Event Hubs gives for an entity that does not exist (the client types it MessagingEntityNotFoundError). */
export function entityNotFound(entity: string): AmqpFailure {
  return new AmqpFailure(
    Condition.notFound,
    `The messaging entity '${entity}' could not be found. To know more visit https://aka.ms/sbResourceMgrExceptions.`,
  );
}
