import type { Checkpointer, HostInfo, Leaser } from "@eph/core";

/**
 * What an adapter hands the conformance suite: one fresh, isolated store. The suite calls the
 * {@link FixtureFactory} once per test and `teardown()` after it, so tests never see each other's records.
 */
export interface StoreFixture<T> {
  /**
   * Creates a new adapter instance, as one host would. The suite calls `setEventProcessorHost` on it
   * itself, and calls `ensureStore` before it needs the store (it does not assume the store exists).
   */
  create(): T;
  /**
   * Writes a record for `partitionId` that the adapter cannot parse (bad JSON, missing or wrongly typed
   * fields), bypassing the adapter, in the place where the adapter for `info` would look for it.
   */
  writeCorruptRecord(info: HostInfo, partitionId: string): Promise<void>;
  /**
   * Optional (Leaser fixtures): writes a liveness record for `info.hostName` that the adapter cannot
   * parse, bypassing the adapter, where the adapter for `info` would look for it. Without it the
   * suite cannot check how a Leaser treats a damaged host record, and skips that check.
   */
  writeCorruptHostRecord?(info: HostInfo): Promise<void>;
  /** Removes the backing store (container, table) behind the adapter's back, as an operator might. */
  deleteStoreOutOfBand(): Promise<void>;
  /** Frees everything the factory created. */
  teardown(): Promise<void>;
  /**
   * Secret strings the adapter was given (account keys, SAS signatures, connection strings). When
   * present, the suite checks that no returned value and no error message, stack or cause contains them.
   */
  readonly secrets?: readonly string[];
}

/** Creates a fresh, isolated store (a new container, table or in-memory store) for one test. */
export type FixtureFactory<T> = () => Promise<StoreFixture<T>>;

/** Fixture factory for a {@link Leaser} adapter. */
export type LeaserFixtureFactory = FixtureFactory<Leaser>;

/** Fixture factory for a {@link Checkpointer} adapter. */
export type CheckpointerFixtureFactory = FixtureFactory<Checkpointer>;
