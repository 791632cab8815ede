import { describe, expect, it } from "vitest";
import { tableClientFromConnectionString, validateTableName } from "../src/index.js";

const key = "a2V5";
const local = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${key};TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;`;

describe("table names", () => {
  it("accepts what the service accepts and names what it refuses", () => {
    for (const good of ["abc", "Leases1", "x".repeat(63)]) expect(validateTableName(good)).toBe(good);
    for (const bad of ["ab", "1abc", "a-b", "a_b", "x".repeat(64), "", 7]) {
      expect(() => validateTableName(bad)).toThrow(
        expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("tableName") }),
      );
    }
  });
});

describe("tableClientFromConnectionString", () => {
  it("builds a client for the named table on a loopback http endpoint", () => {
    const client = tableClientFromConnectionString(local, "leases");
    expect(client.tableName).toBe("leases");
    expect(client.url).toBe("http://127.0.0.1:10002/devstoreaccount1");
  });

  it("checks the table name before the connection string", () => {
    expect(() => tableClientFromConnectionString("garbage", "a_b")).toThrow(
      expect.objectContaining({ code: "InvalidOption" }),
    );
  });

  it("rejects empty and unparsable connection strings without quoting them", () => {
    for (const bad of ["", "   ", 42, `AccountKey=${key};nonsense`]) {
      const attempt = () => tableClientFromConnectionString(bad, "leases");
      expect(attempt).toThrow(expect.objectContaining({ code: "InvalidConnectionString" }));
      try {
        attempt();
      } catch (error) {
        expect((error as Error).message).not.toContain(key);
      }
    }
  });

  it("refuses plain http off loopback unless the caller allows it", () => {
    const remote = local.replace("127.0.0.1:10002", "storage.example.com");
    expect(() => tableClientFromConnectionString(remote, "leases")).toThrow(
      expect.objectContaining({ code: "InvalidConnectionString", message: expect.stringContaining("plain http") }),
    );
    expect(tableClientFromConnectionString(remote, "leases", { allowInsecureConnection: true }).tableName).toBe(
      "leases",
    );
    for (const host of ["localhost:1", "[::1]:1", "127.1.2.3:1"]) {
      expect(tableClientFromConnectionString(local.replace("127.0.0.1:10002", host), "abc").tableName).toBe("abc");
    }
  });
});
