import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  checkCheckpoint,
  checkedLogger,
  decodeCheckpoint,
  decodeLease,
  EphError,
  encodeCheckpoint,
  encodeLease,
  RecordLeaser,
  type RecordStore,
  redactSecrets,
} from "../src/index.js";

const scope = { fullyQualifiedNamespace: "ns.servicebus.windows.net", eventHubName: "hub", consumerGroup: "$Default" };

describe("redactSecrets", () => {
  it.each([
    ["DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0a2V5;EndpointSuffix=x", "c2VjcmV0a2V5"],
    ["Endpoint=sb://n/;SharedAccessKeyName=k;SharedAccessKey=topsecret=", "topsecret"],
    ["GET https://a.blob.core.windows.net/c?sv=2021&sig=abc%2Fdef", "abc%2Fdef"],
    ["Authorization: SharedKey account:c2lnbmF0dXJl", "c2lnbmF0dXJl"],
    ["connect postgres://eph:hunter2@db.local:5432/eph failed", "hunter2"],
    ["postgresql://user:p%40ss@localhost/db", "p%40ss"],
    ["host=db user=eph password=hunter2 dbname=eph", "hunter2"],
  ])("removes the secret from %s", (text, secret) => {
    const redacted = redactSecrets(text);
    expect(redacted).not.toContain(secret);
    expect(redacted).toContain("<redacted>");
  });
});

describe("checkedLogger", () => {
  it("takes console's warn and debug for warning and verbose, and drops what a logger lacks or throws", () => {
    const lines: string[] = [];
    const logger = checkedLogger(
      {
        warn: (m: string) => lines.push(`warn ${m}`),
        debug: (m: string) => lines.push(`debug ${m}`),
        info: () => {
          throw new Error("broken");
        },
      },
      "options.logger",
    );
    logger.warning("a");
    logger.verbose("b");
    logger.info("c");
    logger.error("d");
    expect(lines).toEqual(["warn a", "debug b"]);
  });

  it("refuses a logger that is not an object, naming the option", () => {
    expect(() => checkedLogger("console", "options.logger")).toThrow(
      expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("options.logger") }),
    );
  });
});

describe("record codecs", () => {
  it("round-trip a lease and a checkpoint with a format field", () => {
    const lease = decodeLease(scope, { kind: "lease", id: "3", fields: encodeLease(7, "host-a"), version: "v" });
    expect(lease).toMatchObject({ partitionId: "3", epoch: 7, owner: "host-a", version: "v" });
    const position = {
      offset: "12",
      sequenceNumber: 2 ** 40,
      enqueuedTime: new Date(Date.UTC(9999, 11, 31, 23, 59, 59, 999)),
    };
    const fields = encodeCheckpoint({ fence: 4, position });
    expect(fields.format).toBe("1");
    expect(decodeCheckpoint(scope, { kind: "checkpoint", id: "3", fields, version: "v" })).toEqual({
      fence: 4,
      position,
    });
  });

  it("read a record of a newer format as CorruptRecord naming the record and its format", () => {
    const record = { kind: "lease", id: "5", fields: { format: "2", epoch: "1", owner: "" }, version: "v" } as const;
    expect(() => decodeLease(scope, record)).toThrow(
      expect.objectContaining({
        code: "CorruptRecord",
        message: expect.stringMatching(/partition "5".*format 2, newer than the format 1/),
      }),
    );
    expect(() => decodeLease(scope, { ...record, fields: { epoch: "1", owner: "" } })).toThrow(
      expect.objectContaining({ message: expect.stringContaining("no format field") }),
    );
  });

  it.each([
    [new Date(Date.UTC(10000, 0, 1)), "year 10000"],
    [new Date(Date.UTC(-1, 0, 1)), "year -1"],
    [new Date("0000-12-31T23:59:59.999Z"), "the last instant of year 0"],
  ])("refuse an enqueuedTime %s (%s) with InvalidOption", (enqueuedTime) => {
    expect(() => checkCheckpoint({ offset: "1", sequenceNumber: 1, enqueuedTime }, "0")).toThrow(
      expect.objectContaining({ code: "InvalidOption" }),
    );
  });
});

describe("RecordLeaser", () => {
  it("util.inspect of a subclass holding a client shows no secret", () => {
    const noop = async () => undefined as never;
    const store = {
      read: noop,
      create: noop,
      replace: noop,
      list: noop,
      delete: noop,
      storeExists: noop,
      ensureStore: noop,
      deleteStore: noop,
      close: noop,
      key: "AccountKey=c2VjcmV0",
    } as unknown as RecordStore;
    class KeyedLeaser extends RecordLeaser {
      readonly client = { credential: { accountKey: "c2VjcmV0" } };
      constructor() {
        super({ store });
      }
    }
    const leaser = new KeyedLeaser();
    expect(inspect(leaser, { depth: 10, showHidden: true })).not.toContain("c2VjcmV0");
    expect(inspect({ nested: leaser }, { depth: 10 })).toContain("KeyedLeaser { not configured }");
  });

  it("a host info the store refuses leaves the leaser configured as it was", () => {
    const noop = async () => undefined as never;
    const store = {
      ...Object.fromEntries(
        ["read", "create", "replace", "list", "delete", "storeExists", "ensureStore", "deleteStore", "close"].map(
          (m) => [m, noop],
        ),
      ),
      setEventProcessorHost(info: { eventHubName: string }) {
        if (info.eventHubName.includes("/")) throw new EphError("InvalidOption", "HostInfo.eventHubName: no /");
      },
    } as unknown as RecordStore;
    const leaser = new RecordLeaser({ store });
    const host = { hostName: "h", ...scope };
    leaser.setEventProcessorHost(host);
    expect(() => leaser.setEventProcessorHost({ ...host, eventHubName: "a/b" })).toThrow(
      expect.objectContaining({ code: "InvalidOption" }),
    );
    expect(inspect(leaser)).toContain('hub "hub"');
  });

  it("refuses a store that is not a RecordStore, naming the missing method", () => {
    expect(() => new RecordLeaser({ store: {} as RecordStore })).toThrow(
      expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("options.store") }),
    );
  });
});
