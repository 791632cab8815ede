import type { RecordKey, RecordScope, RecordStore } from "@eph/core";

/**
 * What a store adapter hands the record-store suite: one fresh, isolated backing store (a new container,
 * table, database table…) that does not exist yet. The suite calls the factory once per test and
 * `teardown()` after it.
 */
export interface RecordStoreFixture {
  /** A new `RecordStore` on the fixture's backing store, as one host would make it. The suite closes it. */
  create(): RecordStore;
  /** Removes the backing store behind the store's back, as an operator might. */
  deleteStoreOutOfBand(): Promise<void>;
  /** Frees everything the factory created. */
  teardown(): Promise<void>;
  /**
   * Optional: writes, bypassing the store, something at `key` that the store cannot turn into fields
   * (bytes that are not its encoding). The suite then checks `CorruptRecord` and that `list` skips it.
   */
  writeCorruptRecord?(key: RecordKey): Promise<void>;
  /** Optional: the scope most tests use (default: namespace `conformance.servicebus.windows.net`, hub `orders`, `$Default`). */
  readonly scope?: RecordScope;
  /** Secrets the store was given; when present, no result or error may contain them. */
  readonly secrets?: readonly string[];
}

/** Creates a fresh, isolated backing store for one test. */
export type RecordStoreFixtureFactory = () => Promise<RecordStoreFixture>;
