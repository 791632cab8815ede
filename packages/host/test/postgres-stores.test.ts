import { PostgresCheckpointer } from "@eph/checkpointer-postgres";
import { PostgresLeaser } from "@eph/leaser-postgres";
import { freshPostgresTableName, type PostgresServer, startPostgres } from "@eph/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventProcessorHost } from "../src/index.js";
import { type Emulator, fastTiming, Recorder, sendToAll, startEmulator, waitFor } from "./helpers.js";

describe("end to end on PostgreSQL", () => {
  let emu: Emulator;
  let server: PostgresServer;
  beforeAll(async () => {
    [emu, server] = await Promise.all([startEmulator({ hubs: { pg: 4 } }), startPostgres()]);
  });
  afterAll(async () => {
    await Promise.all([emu?.close(), server?.close()]);
  });

  it("a host checkpoints and closes; the next host resumes from the stored checkpoints without re-reading", async () => {
    const leases = freshPostgresTableName();
    const checkpoints = freshPostgresTableName();
    const rec = new Recorder();
    const make = async (hostName: string) => {
      const host = await EventProcessorHost.fromConnectionString(
        emu.connectionString("pg"),
        PostgresLeaser.fromConnectionString(server.connectionString, { tableName: leases }),
        PostgresCheckpointer.fromConnectionString(server.connectionString, { tableName: checkpoints }),
        { hostName, noBanner: true, ...fastTiming, maxWaitTimeInSeconds: 1, onError: (e) => rec.errors.push(e) },
      );
      host.registerHandler(rec.handler(() => hostName));
      return host;
    };
    const ids = ["0", "1", "2", "3"];
    const first = await sendToAll(emu, "pg", ids, 25, "first-");
    const a = await make("a");
    await a.startNonBlocking();
    await waitFor(() => first.every((body) => rec.distinct().has(body)), "a reads the first events");
    await a.close();

    // The checkpoints a wrote on close are rows of the PostgreSQL table, one per partition.
    const rows = await server.query(`SELECT id, fields FROM "${checkpoints}" WHERE event_hub = 'pg' ORDER BY id`);
    expect(rows.rows.map((r) => [r.id, JSON.parse(r.fields).sequencenumber])).toEqual(ids.map((id) => [id, "24"]));

    const second = await sendToAll(emu, "pg", ids, 25, "second-");
    const b = await make("b");
    await b.startNonBlocking();
    await waitFor(() => second.every((body) => rec.distinct().has(body)), "b reads the later events");
    await b.close();
    expect(rec.duplicates()).toEqual([]);
    // b started at the stored checkpoints: it received none of the first events, only the 25 later ones.
    expect(rec.deliveries.filter((d) => d.host === "b" && first.includes(d.body))).toEqual([]);
    for (const id of ids) {
      const seqs = rec.deliveries.filter((d) => d.host === "b" && d.partitionId === id).map((d) => d.sequenceNumber);
      expect(seqs[0]).toBe(25);
    }
    expect(rec.errors.filter((e) => !e.willRetry)).toEqual([]);
  });
});
