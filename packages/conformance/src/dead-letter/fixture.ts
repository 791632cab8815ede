import type { DeadLetterStore } from "@eph/core";

/**
 * What a dead-letter adapter hands the dead-letter suite: one fresh, isolated backing store (a new
 * container…) that does not exist yet. The suite calls the factory once per test and `teardown()` after.
 */
export interface DeadLetterStoreFixture {
  /** A new store on the fixture's backing store, not yet told its host. The suite closes it. */
  create(): DeadLetterStore;
  /** Frees everything the factory created. */
  teardown(): Promise<void>;
  /**
   * Optional: overwrites, bypassing the store, the document of dead letter `sequenceNumber` of
   * `partitionId` in the suite's scope with bytes that are no dead letter. The suite then checks that
   * `get` says `CorruptRecord` and `list` still lists the others.
   */
  writeCorruptDocument?(partitionId: string, sequenceNumber: number): Promise<void>;
  /** Secrets the store was given; when present, no result, error or `util.inspect` may contain them. */
  readonly secrets?: readonly string[];
}

/** Creates a fresh, isolated backing store for one test. */
export type DeadLetterStoreFixtureFactory = () => Promise<DeadLetterStoreFixture>;
