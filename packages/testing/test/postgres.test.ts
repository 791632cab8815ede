import { existsSync } from "node:fs";
import { postgresBinDir, startPostgres } from "@eph/testing";
import pg from "pg";
import { describe, expect, it } from "vitest";

describe("startPostgres", () => {
  it("runs a cluster of its own that requires the password, stops, starts again and is removed", async () => {
    expect(existsSync(`${postgresBinDir()}/initdb`)).toBe(true);
    const server = await startPostgres();
    expect((await server.query("SELECT current_user AS u")).rows[0]?.u).toBe("eph");
    const wrong = new pg.Client({ connectionString: server.connectionString.replace(server.password, "nope") });
    await expect(wrong.connect()).rejects.toMatchObject({ code: "28P01" });
    await server.stop();
    const refused = new pg.Client({ connectionString: server.connectionString });
    await expect(refused.connect()).rejects.toMatchObject({ code: "ECONNREFUSED" });
    await server.start();
    expect((await server.query("SELECT 1 AS one")).rows[0]?.one).toBe(1);
    const dataDir = (await server.query("SHOW data_directory")).rows[0]?.data_directory as string;
    await server.close();
    expect(existsSync(dataDir)).toBe(false);
    // initdb and two server starts: seconds on a loaded 2-core machine.
  }, 60_000);

  it("finds the server through EPH_POSTGRES_BINDIR, pg_config or Debian's directory, and names what to install otherwise", () => {
    const found = postgresBinDir();
    expect(postgresBinDir({ EPH_POSTGRES_BINDIR: found, PATH: "/nonexistent" }, "/nonexistent")).toBe(found);
    expect(postgresBinDir({ PATH: process.env.PATH }, "/nonexistent")).toBe(found);
    expect(() => postgresBinDir({ PATH: "/nonexistent" }, "/nonexistent")).toThrow(/install the PostgreSQL server/);
  });
});
