import { describe, expect, it } from "vitest";
import {
  checkClient,
  clientFromConnectionString,
  connectionOptions,
  EphError,
  ensureCreated,
  type Logger,
  listedRecords,
  officialLayoutFence,
  recordFormat,
  silentLogger,
} from "../src/index.js";

// The parts of an adapter that core holds once, so that every store decides alike.

describe("clientFromConnectionString", () => {
  const spec = { what: "The connection string", expected: "A=b", service: "blob", allowInsecure: "set insecure" };
  const endpoint = (url: string) => ({ url });
  const connect = (text: unknown, insecure = false) =>
    clientFromConnectionString(
      text,
      spec,
      (s) => endpoint(s.slice(s.indexOf("=") + 1)),
      (c) => c.url,
      insecure,
    );

  it("refuses a missing, unparsable or non-URL one without quoting it", () => {
    const parseFails = () => {
      throw new Error("bad AccountKey=s3cr3t");
    };
    for (const attempt of [
      () => connect(undefined),
      () => connect("   "),
      () => clientFromConnectionString("AccountKey=s3cr3t", spec, parseFails, () => "", false),
      () => connect("AccountKey=s3cr3t"),
    ]) {
      expect(attempt).toThrow(expect.objectContaining({ code: "InvalidConnectionString" }));
      expect(attempt).not.toThrow(/s3cr3t/);
    }
  });

  it("refuses plain http off loopback unless allowed, and tells loopback http apart", () => {
    expect(() => connect("E=http://storage.example.com/a")).toThrow(/plain http and not on loopback.*set insecure/);
    expect(connect("E=http://storage.example.com/a", true).loopbackHttp).toBe(false);
    expect(connect("E=http://127.0.0.1:10000/a").loopbackHttp).toBe(true);
    expect(connect("E=https://a.blob.core.windows.net")).toMatchObject({ loopbackHttp: false });
  });
});

describe("connectionOptions", () => {
  const role = { name: "BlobLeaser", options: ["layout"] };

  it("splits the connection's options from the adapter's, refusing unknown names and a malformed logger", () => {
    const [connection, rest] = connectionOptions(role, { layout: "eph", clientOptions: { retry: 1 } }, [
      "clientOptions",
    ]);
    expect(connection).toEqual({ clientOptions: { retry: 1 } });
    expect(rest).toMatchObject({ layout: "eph" });
    expect(rest).not.toHaveProperty("clientOptions");
    expect(() => connectionOptions(role, { lyout: "eph" } as object, [])).toThrow(
      /Unknown option "lyout" of BlobLeaser/,
    );
    expect(() => connectionOptions(role, { logger: console.log } as object, [])).toThrow(
      expect.objectContaining({ code: "InvalidOption" }),
    );
  });
});

describe("checkClient", () => {
  it("names the first method a client handed in lacks", () => {
    const client = { read() {}, list() {} };
    expect(checkClient(client, ["read", "list"], "x must be a Store")).toBe(client);
    const refusal = (method: string) =>
      new EphError("InvalidOption", `x must be a Store (it has no ${method} method).`);
    for (const bad of [undefined, null, "store"]) {
      expect(() => checkClient(bad, ["read", "list"], "x must be a Store")).toThrow(refusal("read"));
    }
    expect(() => checkClient({ read() {} }, ["read", "list"], "x must be a Store")).toThrow(refusal("list"));
  });
});

describe("ensureCreated", () => {
  const refused = new Error("refused");

  it("succeeds when creating fails tolerably and the store exists, else rethrows the failure", async () => {
    const fail = () => Promise.reject(refused);
    await ensureCreated(
      fail,
      () => true,
      async () => true,
    );
    await expect(
      ensureCreated(
        fail,
        () => true,
        async () => false,
      ),
    ).rejects.toBe(refused);
    let asked = false;
    const exists = async () => {
      asked = true;
      return true;
    };
    await expect(ensureCreated(fail, () => false, exists)).rejects.toBe(refused);
    expect(asked).toBe(false);
  });
});

describe("listedRecords", () => {
  it("reads every page, leaves out what is not a record and logs each one skipped", async () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warning: (m: string) => warnings.push(m) };
    async function* pages() {
      yield ["a", "bad", "other"];
      yield ["b"];
    }
    const records = await listedRecords(
      pages(),
      (page) => page,
      (item) => {
        if (item === "bad") return { skipped: 'the record "bad": its fields are not strings' };
        if (item === "other") return undefined;
        return { kind: "lease", id: item, fields: {}, version: "1" };
      },
      logger,
    );
    expect(records.map((r) => r.id)).toEqual(["a", "b"]);
    expect(warnings).toEqual(['list skipped the record "bad": its fields are not strings.']);
  });
});

describe("officialLayoutFence", () => {
  const fail = (problem: string) => new EphError("CorruptRecord", problem);

  it("reads a record the official store wrote as fence 0, and refuses a newer format or a malformed fence", () => {
    expect(officialLayoutFence({ sequencenumber: "5", offset: "9" }, fail)).toBe(0);
    expect(officialLayoutFence({ ephformat: String(recordFormat), ephfence: "7" }, fail)).toBe(7);
    expect(() => officialLayoutFence({ ephformat: String(recordFormat + 1), ephfence: "7" }, fail)).toThrow(/newer/);
    expect(() => officialLayoutFence({ ephfence: "-1" }, fail)).toThrow(/ephfence "-1"/);
  });
});
