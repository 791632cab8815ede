import assert from "node:assert/strict";
import { inspect } from "node:util";
import type { DeadLetter, DeadLetterStore } from "@eph/core";
import { defaultScope, hostInfo, neighbourScopes } from "../host-info.js";
import type { TestFunctions } from "../test-functions.js";
import type { DeadLetterStoreFixture, DeadLetterStoreFixtureFactory } from "./fixture.js";

/** A dead letter of partition `partitionId` at `sequenceNumber`, with every kind of value an event carries. */
export function sampleDeadLetter(
  partitionId: string,
  sequenceNumber: number,
  overrides: Partial<DeadLetter> = {},
): DeadLetter {
  return {
    partitionId,
    sequenceNumber,
    offset: String(sequenceNumber * 1024),
    enqueuedTime: new Date("2026-12-01T10:00:00.123Z"),
    partitionKey: "customer-7",
    body: { order: 42, lines: [{ sku: "a", qty: 2 }], placed: new Date("2026-11-30T09:00:00Z"), note: null },
    properties: { source: "web", attempt: 3, vip: true, trace: new Uint8Array([1, 2, 255]), big: 2n ** 70n },
    systemProperties: { "x-opt-sequence-number": sequenceNumber, "message-id": `m-${sequenceNumber}` },
    error: { name: "TypeError", message: "Cannot read properties of undefined (reading 'sku')" },
    hostName: "host-a",
    deadLetteredAt: new Date("2026-12-01T10:00:05Z"),
    ...overrides,
  };
}

async function rejects(promise: Promise<unknown>, code: string, what: string): Promise<void> {
  await assert.rejects(promise, (error: { code?: unknown }) => error.code === code, `${what}: expected ${code}`);
}

/**
 * Registers the `DeadLetterStore` contract tests with any runner's test functions (`{ describe, it }`
 * of vitest or node:test):
 *
 * ```ts
 * import { describe, it } from "node:test";
 * import { deadLetterStoreSuite } from "@eph/conformance/suites";
 * deadLetterStoreSuite({ describe, it }, "MyDeadLetterStore", async () => myFixture());
 * ```
 */
export function deadLetterStoreSuite(
  test: TestFunctions,
  adapterName: string,
  factory: DeadLetterStoreFixtureFactory,
): void {
  const withStore = (name: string, body: (store: DeadLetterStore, fixture: DeadLetterStoreFixture) => Promise<void>) =>
    test.it(name, async () => {
      const fixture = await factory();
      const store = fixture.create();
      try {
        store.setEventProcessorHost(hostInfo("host-a"));
        await body(store, fixture);
      } finally {
        await store.close();
        await fixture.teardown();
      }
    });

  test.describe(`${adapterName}: DeadLetterStore conformance`, () => {
    withStore("does not exist until ensureStore; then keeps dead letters until deleteStore", async (store) => {
      assert.equal(await store.storeExists(), false);
      await rejects(store.add(sampleDeadLetter("0", 1)), "StoreNotFound", "add to a missing store");
      await store.ensureStore();
      await store.ensureStore();
      assert.equal(await store.storeExists(), true);
      await store.add(sampleDeadLetter("0", 1));
      await store.deleteStore();
      assert.equal(await store.storeExists(), false);
      await store.ensureStore();
      assert.deepEqual(await store.list(), [], "a recreated store is empty");
    });

    withStore("reads back body and properties with their types", async (store) => {
      await store.ensureStore();
      const letter = sampleDeadLetter("3", 1042);
      assert.equal(await store.add(letter), "3:1042");
      const read = await store.get("3:1042");
      assert.ok(read, "the dead letter is found");
      const { properties, ...rest } = read;
      const { properties: expectedProperties, ...expectedRest } = letter;
      assert.deepEqual(rest, expectedRest);
      assert.deepEqual(
        { ...properties, trace: [...(properties.trace as Uint8Array)] },
        {
          ...expectedProperties,
          trace: [1, 2, 255],
        },
      );
      for (const body of [new Uint8Array([0, 1, 2]), "plain text", 17, null, ["a", 1]]) {
        await store.add(sampleDeadLetter("3", 7, { body }));
        const again = await store.get("3:7");
        const got = again?.body instanceof Uint8Array ? [...again.body] : again?.body;
        assert.deepEqual(got, body instanceof Uint8Array ? [...body] : body, `body ${inspect(body)}`);
      }
      assert.equal(await store.get("3:1043"), undefined, "no such dead letter");
    });

    withStore(
      "lists summaries by partition then sequence number, one per event, filtered by partition",
      async (store) => {
        await store.ensureStore();
        for (const [p, seq] of [
          ["10", 5],
          ["2", 9],
          ["2", 1],
          ["10", 5],
        ] as const) {
          await store.add(sampleDeadLetter(p, seq, { error: { name: "Error", message: `failed ${p}:${seq}` } }));
        }
        const all = await store.list();
        assert.deepEqual(
          all.map((s) => s.id),
          ["2:1", "2:9", "10:5"],
          "adding the same event again replaces it",
        );
        const [first] = all;
        assert.equal(first?.errorMessage, "failed 2:1");
        assert.equal(first?.errorName, "Error");
        assert.equal(first?.hostName, "host-a");
        assert.equal(first?.offset, "1024");
        assert.deepEqual(first?.enqueuedTime, new Date("2026-12-01T10:00:00.123Z"));
        assert.deepEqual(
          (await store.list({ partitionId: "10" })).map((s) => s.id),
          ["10:5"],
        );
      },
    );

    withStore("deletes one dead letter; deleting it again says false", async (store) => {
      await store.ensureStore();
      await store.add(sampleDeadLetter("0", 1));
      await store.add(sampleDeadLetter("0", 2));
      assert.equal(await store.delete("0:1"), true);
      assert.equal(await store.delete("0:1"), false);
      assert.equal(await store.get("0:1"), undefined);
      assert.deepEqual(
        (await store.list()).map((s) => s.id),
        ["0:2"],
      );
    });

    withStore("keeps scopes apart", async (store, fixture) => {
      await store.ensureStore();
      const others = neighbourScopes.map((scope, i) => {
        const other = fixture.create();
        other.setEventProcessorHost(hostInfo(`host-${i}`, scope));
        return other;
      });
      try {
        for (const [i, other] of others.entries()) await other.add(sampleDeadLetter("0", i + 1));
        for (const [i, other] of others.entries())
          assert.deepEqual(
            (await other.list()).map((s) => s.id),
            [`0:${i + 1}`],
          );
        assert.deepEqual(await store.list(), [], `${defaultScope.eventHubName} sees none of its neighbours'`);
      } finally {
        await Promise.all(others.map((o) => o.close()));
      }
    });

    withStore("refuses what it cannot store, naming it, and stores nothing", async (store) => {
      await store.ensureStore();
      const bad: [string, Partial<DeadLetter> | Record<string, unknown>][] = [
        ["a negative sequence number", { sequenceNumber: -1 }],
        ["an empty offset", { offset: "" }],
        ["an invalid enqueued time", { enqueuedTime: new Date(Number.NaN) }],
        ["a function in the body", { body: { run: () => 1 } }],
        ["properties that are not an object", { properties: "x" }],
      ];
      for (const [what, change] of bad) {
        await rejects(store.add(sampleDeadLetter("0", 1, change as Partial<DeadLetter>)), "InvalidOption", what);
      }
      await rejects(store.get("no-sequence"), "InvalidOption", "an id without a sequence number");
      await rejects(store.delete(":5"), "InvalidOption", "an id without a partition");
      assert.deepEqual(await store.list(), []);
    });

    withStore("says NotConfigured before setEventProcessorHost and Closed after close", async (_store, fixture) => {
      const fresh = fixture.create();
      await rejects(fresh.list(), "NotConfigured", "list before setEventProcessorHost");
      await fresh.close();
      await rejects(fresh.get("0:1"), "Closed", "get after close");
      await fresh.close();
    });

    withStore("keeps secrets out of stored error messages and of util.inspect", async (store, fixture) => {
      await store.ensureStore();
      const secrets = ["AccountKey=c2VjcmV0LWtleQ==", "sig=abcdefSECRETsig", ...(fixture.secrets ?? [])];
      await store.add(
        sampleDeadLetter("0", 1, {
          error: { name: "Error", message: `could not connect with ${secrets.join(" and ")}` },
        }),
      );
      const shown = [
        JSON.stringify(await store.list()),
        JSON.stringify((await store.get("0:1"))?.error),
        inspect(store, { depth: 10, showHidden: true }),
      ];
      for (const text of shown) {
        for (const secret of ["c2VjcmV0LWtleQ==", "abcdefSECRETsig", ...(fixture.secrets ?? [])]) {
          assert.ok(!text.includes(secret), `a secret shows in ${text.slice(0, 200)}`);
        }
      }
    });

    withStore("names a damaged dead letter on get and still lists the others", async (store, fixture) => {
      if (fixture.writeCorruptDocument === undefined) return;
      await store.ensureStore();
      await store.add(sampleDeadLetter("0", 1));
      await store.add(sampleDeadLetter("0", 2));
      await fixture.writeCorruptDocument("0", 1);
      await assert.rejects(store.get("0:1"), (error: { code?: unknown; message?: unknown }) => {
        return error.code === "CorruptRecord" && String(error.message).includes('"0:1"');
      });
      assert.ok((await store.list()).some((s) => s.id === "0:2"));
      assert.equal(await store.delete("0:1"), true, "a damaged dead letter can be deleted");
    });
  });
}
