import type { RecordFields, RecordKey, RecordKind, RecordScope, RecordStore, VersionedRecord } from "@eph/core";
import { defaultScope } from "../host-info.js";
import type { ResolvedConformanceOptions } from "../options.js";
import type { TestFunctions } from "../test-functions.js";
import type { RecordStoreFixture, RecordStoreFixtureFactory } from "./fixture.js";

/** One test's view of a fixture: stores that are all closed when the test ends. */
export interface RecordSession {
  /** The adapter's fixture. */
  readonly fixture: RecordStoreFixture;
  /** The scope most tests use. */
  readonly scope: RecordScope;
  /** How many instances race in the concurrency tests. */
  readonly concurrency: number;
  /** A new store instance (one per simulated host). */
  store(): RecordStore;
  /** A store whose backing store exists. */
  ready(): Promise<RecordStore>;
  /** The key of `id` of `kind` (default `"lease"`) in `scope` (default the session's). */
  key(id: string, kind?: RecordKind, scope?: RecordScope): RecordKey;
  /** Creates a record and returns its version; fails the test if it is not written. */
  put(store: RecordStore, key: RecordKey, fields: RecordFields): Promise<string>;
}

/** How each concept's file registers its tests. */
export type RecordTest = (name: string, body: (session: RecordSession) => Promise<void>) => void;

/** What a concept's file receives. */
export interface RecordSuiteContext {
  readonly test: RecordTest;
  readonly describe: TestFunctions["describe"];
}

/** A record as comparable plain data. */
export function plainRecord(record: VersionedRecord | undefined): VersionedRecord | undefined {
  return record && { kind: record.kind, id: record.id, fields: { ...record.fields }, version: record.version };
}

/** Wraps each test body so it runs against a fresh fixture that is torn down afterwards. */
export function recordTest(
  test: TestFunctions,
  factory: RecordStoreFixtureFactory,
  options: ResolvedConformanceOptions,
): RecordTest {
  return (name, body) =>
    test.it(name, async () => {
      const fixture = await factory();
      const stores: RecordStore[] = [];
      const scope = fixture.scope ?? defaultScope;
      const session: RecordSession = {
        fixture,
        scope,
        concurrency: options.concurrency,
        store() {
          const store = fixture.create();
          stores.push(store);
          return store;
        },
        async ready() {
          const store = session.store();
          await store.ensureStore();
          return store;
        },
        key: (id, kind = "lease", inScope = scope) => ({ scope: inScope, kind, id }),
        async put(store, key, fields) {
          const outcome = await store.create(key, fields);
          if (outcome.status !== "written")
            throw new Error(`create of ${key.kind} "${key.id}" answered ${outcome.status}`);
          return outcome.version;
        },
      };
      try {
        await body(session);
      } finally {
        await Promise.allSettled(stores.map((store) => store.close()));
        await fixture.teardown();
      }
    });
}
