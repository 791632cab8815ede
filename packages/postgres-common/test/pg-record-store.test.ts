import { inspect } from "node:util";
import { type EphError, type RecordKey, type RecordScope, silentLogger } from "@eph/core";
import { freshPostgresTableName, type PostgresServer, startPostgres } from "@eph/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PgRecordStore } from "../src/index.js";

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server.close();
});

const scope: RecordScope = { fullyQualifiedNamespace: "ns.example", eventHubName: "hub", consumerGroup: "$Default" };
const key = (id: string): RecordKey => ({ scope, kind: "lease", id });

function store(tableName = freshPostgresTableName()): PgRecordStore {
  return PgRecordStore.fromConnectionString(server.connectionString, { tableName, logger: silentLogger });
}

async function rejection(promise: Promise<unknown>): Promise<EphError> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: EphError) => error,
  );
}

/** Polls `condition` on the server until it holds: the state waited for is the server's, not a timer's. */
async function serverState(sql: string, values: unknown[], holds: (rows: pg.QueryResultRow[]) => boolean) {
  for (let i = 0; i < 500; i++) {
    if (holds((await server.query(sql, values)).rows)) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`the server never reached the state: ${sql}`);
}

describe("PgRecordStore provisioning", () => {
  it("20 stores racing ensureStore on a new table all succeed (concurrent CREATE TABLE IF NOT EXISTS)", async () => {
    for (let round = 0; round < 3; round++) {
      const tableName = freshPostgresTableName();
      const racers = Array.from({ length: 20 }, () => store(tableName));
      await Promise.all(racers.map((s) => s.ensureStore()));
      expect(await racers[0]?.storeExists()).toBe(true);
      await Promise.all(racers.map((s) => s.close()));
    }
  });

  it("a table dropped out of band is StoreNotFound, and ensureStore recovers", async () => {
    const s = store();
    await s.ensureStore();
    await s.create(key("0"), { a: "1" });
    await server.query(`DROP TABLE "${s.tableName}"`);
    expect((await rejection(s.read(key("0")))).code).toBe("StoreNotFound");
    expect((await rejection(s.create(key("0"), { a: "1" }))).code).toBe("StoreNotFound");
    expect(await s.storeExists()).toBe(false);
    await s.ensureStore();
    expect((await s.create(key("0"), { a: "2" })).status).toBe("written");
    await s.deleteStore();
    expect(await s.storeExists()).toBe(false);
    await s.close();
  });

  it("versions are never reused, not even after deleteStore and ensureStore", async () => {
    const s = store();
    await s.ensureStore();
    const first = await s.create(key("0"), { a: "1" });
    await s.deleteStore();
    await s.ensureStore();
    const again = await s.create(key("0"), { a: "1" });
    expect(first.status === "written" && again.status === "written").toBe(true);
    if (first.status === "written")
      expect((await s.replace(key("0"), { a: "x" }, first.version)).status).toBe("conflict");
    await s.close();
  });
});

describe("PgRecordStore pools", () => {
  it("leaves a pool handed in open on close(), and refuses calls after close with Closed", async () => {
    const pool = new pg.Pool({ connectionString: server.connectionString });
    const s = new PgRecordStore(pool, { tableName: freshPostgresTableName(), logger: silentLogger });
    await s.ensureStore();
    await s.close();
    expect((await pool.query("SELECT 1 AS one")).rows[0]?.one).toBe(1);
    expect((await rejection(s.read(key("0")))).code).toBe("Closed");
    await pool.end();
  });

  it("ends the pool fromConnectionString created on close()", async () => {
    const s = PgRecordStore.fromConnectionString(server.connectionString, {
      tableName: freshPostgresTableName(),
      logger: silentLogger,
      poolOptions: { application_name: "eph-owned-pool" },
    });
    await s.ensureStore();
    await serverState(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1",
      ["eph-owned-pool"],
      (r) => r[0]?.n === 1,
    );
    await s.close();
    await serverState(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1",
      ["eph-owned-pool"],
      (r) => r[0]?.n === 0,
    );
  });

  it("checks its options: table name, pool and connection string", () => {
    const pool = new pg.Pool();
    for (const tableName of ["Eph", "1abc", "a-b", 'x"; DROP TABLE y; --', "a.b.c", "", "a".repeat(64)]) {
      expect(() => new PgRecordStore(pool, { tableName, logger: silentLogger })).toThrow(
        expect.objectContaining({ code: "InvalidOption" }),
      );
    }
    expect(new PgRecordStore(pool, { tableName: "my_schema.eph_leases", logger: silentLogger }).tableName).toBe(
      "my_schema.eph_leases",
    );
    expect(() => new PgRecordStore({} as pg.Pool, { tableName: "t", logger: silentLogger })).toThrow(/pg\.Pool/);
    for (const cs of ["", "host=db password=hunter2", "mysql://u:hunter2@h/d", "not a url"]) {
      const attempt = () => PgRecordStore.fromConnectionString(cs, { tableName: "t", logger: silentLogger });
      expect(attempt).toThrow(expect.objectContaining({ code: "InvalidConnectionString" }));
      expect(attempt).not.toThrow(/hunter2/);
    }
  });
});

describe("PgRecordStore failures", () => {
  it("a stopped server is StoreUnavailable, and calls succeed once it is back", async () => {
    const own = await startPostgres();
    const s = PgRecordStore.fromConnectionString(own.connectionString, { tableName: "t", logger: silentLogger });
    await s.ensureStore();
    await own.stop();
    const error = await rejection(s.read(key("0")));
    expect(error.code).toBe("StoreUnavailable");
    expect(error.message).toMatch(/ECONNREFUSED|terminat/);
    await own.start();
    expect(await s.read(key("0"))).toBeUndefined();
    await s.close();
    await own.close();
  });

  it("a connection the server terminates mid-statement (57P01) is StoreUnavailable", async () => {
    const s = store();
    await s.ensureStore();
    const locker = new pg.Client({ connectionString: server.connectionString });
    await locker.connect();
    await locker.query(`BEGIN; LOCK TABLE "${s.tableName}" IN ACCESS EXCLUSIVE MODE`);
    const reading = rejection(s.read(key("0")));
    const waiting = "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1";
    await serverState(waiting, [`%${s.tableName}%`], (rows) => rows.length === 1);
    await server.query(`SELECT pg_terminate_backend(pid) FROM (${waiting}) w`, [`%${s.tableName}%`]);
    const error = await reading;
    expect(error.code).toBe("StoreUnavailable");
    expect((error.cause as { code?: string }).code).toBe("57P01");
    await locker.end();
    expect(await s.read(key("0"))).toBeUndefined();
    await s.close();
  });

  it("an abort rejects at once with Aborted and cancels the statement on the server", async () => {
    const s = store();
    await s.ensureStore();
    const created = await s.create(key("0"), { a: "before" });
    if (created.status !== "written") throw new Error("not created");
    const locker = new pg.Client({ connectionString: server.connectionString });
    await locker.connect();
    await locker.query(`BEGIN; LOCK TABLE "${s.tableName}" IN ACCESS EXCLUSIVE MODE`);
    const controller = new AbortController();
    const writing = rejection(
      s.replace(key("0"), { a: "aborted" }, created.version, { abortSignal: controller.signal }),
    );
    const waiting = "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1";
    await serverState(waiting, [`%${s.tableName}%`], (rows) => rows.length === 1);
    controller.abort();
    expect((await writing).code).toBe("Aborted");
    // Cancelled, not merely left behind: once the lock is gone, the write must not land.
    await serverState(waiting, [`%${s.tableName}%`], (rows) => rows.length === 0);
    await locker.query("COMMIT");
    await locker.end();
    expect((await s.read(key("0")))?.fields).toEqual({ a: "before" });
    await s.close();
  });

  it("never shows the password: not in errors, causes or util.inspect", async () => {
    const wrong = server.connectionString.replace(server.password, "wrong-secret-1234");
    const s = PgRecordStore.fromConnectionString(wrong, { tableName: "t", logger: silentLogger });
    const error = await rejection(s.read(key("0")));
    expect(error.code).toBe("StoreUnavailable");
    expect((error.cause as { code?: string }).code).toBe("28P01");
    const good = store();
    const pool = new pg.Pool({ connectionString: server.connectionString });
    const handedIn = new PgRecordStore(pool, { tableName: "t", logger: silentLogger });
    for (const text of [
      inspect(error, { depth: 10 }),
      error.stack,
      inspect(s, { depth: 10 }),
      inspect(good, { depth: 10 }),
      inspect(handedIn, { depth: 10 }),
    ]) {
      expect(text).not.toContain("wrong-secret-1234");
      expect(text).not.toContain(server.password);
    }
    await Promise.all([s.close(), good.close(), handedIn.close(), pool.end()]);
  });
});

describe("PgRecordStore records", () => {
  it("creates once, replaces on the version only, lists one scope, deletes conditionally", async () => {
    const s = store();
    await s.ensureStore();
    const racers = await Promise.all(Array.from({ length: 20 }, (_, i) => s.create(key("0"), { n: String(i) })));
    expect(racers.filter((o) => o.status === "written")).toHaveLength(1);
    const current = await s.read(key("0"));
    if (current === undefined) throw new Error("missing");
    const replaced = await Promise.all(
      Array.from({ length: 20 }, (_, i) => s.replace(key("0"), { n: `r${i}` }, current.version)),
    );
    expect(replaced.filter((o) => o.status === "written")).toHaveLength(1);
    await s.create({ scope, kind: "checkpoint", id: "0" }, { a: "c" });
    await s.create({ scope: { ...scope, eventHubName: "other" }, kind: "lease", id: "1" }, { a: "o" });
    const listed = await s.list({ ...scope, consumerGroup: "$default" }, { kinds: ["lease", "host"] });
    expect(listed.map((r) => [r.kind, r.id])).toEqual([["lease", "0"]]);
    expect((await s.delete(key("0"), current.version)).status).toBe("conflict");
    expect((await s.delete(key("0"), "not-a-version")).status).toBe("conflict");
    expect((await s.delete(key("0"), listed[0]?.version)).status).toBe("deleted");
    expect((await s.delete(key("0"))).status).toBe("deleted");
    await s.close();
  });

  it("keeps any field value exactly, and refuses ids a text key cannot hold", async () => {
    const s = store();
    await s.ensureStore();
    const fields = { a: "", b: "nul\u0000 lone\ud800 ünï 'quote\" \n" };
    await s.create(key("0"), fields);
    expect((await s.read(key("0")))?.fields).toEqual(fields);
    for (const id of ["a\u0000b", "\udc00", "", "x".repeat(513)]) {
      expect((await rejection(s.create(key(id), {}))).code).toBe("InvalidOption");
    }
    await s.close();
  });

  // The blob and table stores refused such a scope at setEventProcessorHost; this one only at its first call.
  it("refuses a scope its keys cannot hold when the host is configured, naming the field", async () => {
    const s = store();
    expect(() => s.setEventProcessorHost({ hostName: "h", ...scope, eventHubName: "a\u0000b" })).toThrow(
      expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("HostInfo.eventHubName") }),
    );
    s.setEventProcessorHost({ hostName: "h", ...scope });
    await s.close();
  });

  it("reports a row that is not JSON of strings as CorruptRecord on read and leaves it out of list", async () => {
    const s = store();
    await s.ensureStore();
    await s.create(key("good"), { a: "1" });
    for (const [id, text] of [
      ["bad", "{not json"],
      ["num", '{"a":1}'],
      ["arr", "[]"],
    ]) {
      await server.query(
        `INSERT INTO "${s.tableName}" (namespace, event_hub, consumer_group, kind, id, fields, version) VALUES ($1, $2, $3, 'lease', $4, $5, 1)`,
        ["ns.example", "hub", "$default", id, text],
      );
      expect((await rejection(s.read(key(id as string)))).code).toBe("CorruptRecord");
    }
    expect((await s.list(scope, { kinds: ["lease"] })).map((r) => r.id)).toEqual(["good"]);
    await s.close();
  });
});
