import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/** A PostgreSQL server of its own, in a temporary directory, listening on 127.0.0.1. */
export interface PostgresServer {
  /** The port it listens on (chosen free when it was started). */
  readonly port: number;
  /** The superuser `eph`, whose password is {@link PostgresServer.password}. */
  readonly user: string;
  /** A random password, required on TCP connections (SCRAM), so tests can check it never leaks. */
  readonly password: string;
  /** `postgres://eph:<password>@127.0.0.1:<port>/postgres`. */
  readonly connectionString: string;
  /** Runs one statement as `eph` on a pool of the server's own (ended by `stop` and `close`). */
  query(text: string, values?: unknown[]): Promise<pg.QueryResult>;
  /** Stops the server and keeps its data (for "the server went away" tests); `start()` brings it back. */
  stop(): Promise<void>;
  /** Starts the stopped server again on the same port. */
  start(): Promise<void>;
  /** Stops the server and removes its directory. */
  close(): Promise<void>;
}

// The server must not run as root (initdb and postgres refuse), so as root both run as the `postgres`
// system user that Debian's packages create, in a directory that user owns.
interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/**
 * The directory holding `initdb` and `postgres`: `$EPH_POSTGRES_BINDIR`, `pg_config --bindir`, or the
 * newest `<debianRoot>/<version>/bin`. Throws naming what to install when there is none.
 */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env, debianRoot = "/usr/lib/postgresql"): string {
  const candidates: string[] = [];
  if (env.EPH_POSTGRES_BINDIR) candidates.push(env.EPH_POSTGRES_BINDIR);
  try {
    candidates.push(execFileSync("pg_config", ["--bindir"], { encoding: "utf8", env, stdio: "pipe" }).trim());
  } catch {
    // pg_config is not on PATH; look where Debian puts the server.
  }
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(debianRoot, v, "bin")));
  }
  const found = candidates.find((dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "postgres")));
  if (found === undefined) {
    throw new Error(
      "PostgreSQL server binaries (initdb, postgres) not found: install the PostgreSQL server (Debian: apt-get install postgresql), put pg_config on PATH or set EPH_POSTGRES_BINDIR.",
    );
  }
  return found;
}

function runAs(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  const [, , uid, gid] = line?.split(":") ?? [];
  if (uid === undefined || gid === undefined) {
    throw new Error("Running as root, and there is no `postgres` system user to run the PostgreSQL server as.");
  }
  return { uid: Number(uid), gid: Number(gid) };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

function run(bin: string, args: string[], user: RunAs | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { ...user, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${bin} failed (${code}): ${stderr}`))));
  });
}

// Shut down every server this process started if it exits without closing them.
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGQUIT");
});

function startServer(bin: string, dataDir: string, port: number, user: RunAs | undefined): Promise<ChildProcess> {
  const settings = ["fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=300"];
  const args = ["-D", dataDir, "-k", dataDir, "-p", String(port), "-h", "127.0.0.1"];
  const child = spawn(join(bin, "postgres"), [...args, ...settings.flatMap((s) => ["-c", s])], {
    ...user,
    stdio: ["ignore", "ignore", "pipe"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  return new Promise((resolve, reject) => {
    let log = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes("ready to accept connections")) resolve(child);
    });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`postgres exited (${code}) before it was ready: ${log}`)));
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGINT"); // fast shutdown: ends the sessions, no checkpoint wait worth having here
  await exited;
}

/**
 * Starts a fresh PostgreSQL cluster (initdb into a temporary directory, server on a free port of
 * 127.0.0.1, durability off for speed) and returns once a client has connected. Needs the server
 * binaries of a local PostgreSQL ({@link postgresBinDir}); as root it runs them as the `postgres` user.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const user = runAs();
  const dir = await mkdtemp(join(tmpdir(), "eph-pg-"));
  const dataDir = join(dir, "data");
  const password = randomBytes(12).toString("hex");
  const pwfile = join(dir, "pwfile");
  await writeFile(pwfile, password, { mode: 0o600 });
  if (user !== undefined) {
    await chown(dir, user.uid, user.gid);
    await chown(pwfile, user.uid, user.gid);
  }
  const initArgs = [
    "-D",
    dataDir,
    "-U",
    "eph",
    `--pwfile=${pwfile}`,
    "--auth-local=trust",
    "--auth-host=scram-sha-256",
  ];
  await run(join(bin, "initdb"), [...initArgs, "--no-sync", "--no-instructions", "-E", "UTF8", "--locale=C"], user);
  const port = await freePort();
  let child: ChildProcess | undefined = await startServer(bin, dataDir, port, user);
  const connectionString = `postgres://eph:${password}@127.0.0.1:${port}/postgres`;
  const probe = new pg.Client({ connectionString });
  await probe.connect();
  await probe.end();
  let pool: pg.Pool | undefined;
  const endPool = async () => {
    await pool?.end();
    pool = undefined;
  };
  return {
    port,
    user: "eph",
    password,
    connectionString,
    query(text, values) {
      pool ??= new pg.Pool({ connectionString }).on("error", () => {});
      return pool.query(text, values);
    },
    async stop() {
      await endPool();
      if (child !== undefined) await stopServer(child);
      child = undefined;
    },
    async start() {
      child ??= await startServer(bin, dataDir, port, user);
    },
    async close() {
      await endPool();
      if (child !== undefined) await stopServer(child);
      child = undefined;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A table name no other test uses, e.g. `eph_test_3f2a9c0d1b7e`. */
export function freshPostgresTableName(): string {
  return `eph_test_${randomBytes(6).toString("hex")}`;
}
