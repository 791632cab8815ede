import type { Checkpointer, HostInfo, Leaser } from "@eph/core";

/**
 * What an adapter hands the conformance suite: a way to make fresh, isolated stores. The suite calls
 * `setup()` once per test, so tests never see each other's records.
 */
export interface StoreFixture<T> {
  /** Creates a new store instance for one host. The suite calls `setEventProcessorHost` on it itself. */
  create(): T;
  /**
   * Writes a record for `partitionId` that the adapter cannot parse (bad JSON, missing or wrongly typed
   * fields), bypassing the adapter, in the place where the adapter for `info` would look for it.
   */
  writeCorruptRecord(info: HostInfo, partitionId: string): Promise<void>;
  /** Removes the backing store (container, table) behind the adapter's back, as an operator might. */
  deleteStoreOutOfBand(): Promise<void>;
  /** Frees everything `setup` created. */
  teardown(): Promise<void>;
}

/** Creates a fresh, isolated store (a new container, table or in-memory store) for one test. */
export type FixtureFactory<T> = () => Promise<StoreFixture<T>>;

/** Fixture factory for a {@link Leaser} adapter. */
export type LeaserFixtureFactory = FixtureFactory<Leaser>;

/** Fixture factory for a {@link Checkpointer} adapter. */
export type CheckpointerFixtureFactory = FixtureFactory<Checkpointer>;
