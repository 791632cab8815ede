import { describe, expect, it } from "vitest";
import {
  containerClientFromConnectionString,
  validateContainerClient,
  validateContainerName,
} from "../src/connection-string.js";

const key = "a2V5";
const local = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${key};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;`;

describe("container names and clients", () => {
  it("accepts what the service accepts and names what it refuses", () => {
    for (const good of ["abc", "a-b-c", "x".repeat(63), "$root", "0leases"])
      expect(validateContainerName(good)).toBe(good);
    for (const bad of ["ab", "Upper", "a--b", "-ab", "ab-", "a_b", "x".repeat(64), "", 7]) {
      expect(() => validateContainerName(bad)).toThrow(
        expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("containerName") }),
      );
    }
  });

  it("refuses anything but a ContainerClient", () => {
    for (const bad of [undefined, {}, { containerName: "c" }, "c"]) {
      expect(() => validateContainerClient(bad)).toThrow(expect.objectContaining({ code: "InvalidOption" }));
    }
    const client = containerClientFromConnectionString(local, "leases");
    expect(validateContainerClient(client)).toBe(client);
  });
});

describe("containerClientFromConnectionString", () => {
  it("builds a client for the named container on a loopback http endpoint", () => {
    const client = containerClientFromConnectionString(local, "leases");
    expect(client.url).toBe("http://127.0.0.1:10000/devstoreaccount1/leases");
    expect(client.containerName).toBe("leases");
  });

  it("checks the container name before the connection string", () => {
    expect(() => containerClientFromConnectionString("garbage", "Bad_Name")).toThrow(
      expect.objectContaining({ code: "InvalidOption" }),
    );
  });

  it("rejects empty and unparsable connection strings without quoting them", () => {
    for (const bad of ["", "   ", 42, `AccountKey=${key};nonsense`]) {
      const attempt = () => containerClientFromConnectionString(bad, "leases");
      expect(attempt).toThrow(expect.objectContaining({ code: "InvalidConnectionString" }));
      try {
        attempt();
      } catch (error) {
        expect((error as Error).message).not.toContain(key);
      }
    }
  });

  it("refuses plain http off loopback unless the caller allows it", () => {
    const remote = local.replace("127.0.0.1:10000", "storage.example.com");
    expect(() => containerClientFromConnectionString(remote, "leases")).toThrow(
      expect.objectContaining({ code: "InvalidConnectionString", message: expect.stringContaining("plain http") }),
    );
    const allowed = containerClientFromConnectionString(remote, "leases", { allowInsecureConnection: true });
    expect(allowed.url).toBe("http://storage.example.com/devstoreaccount1/leases");
    for (const host of ["localhost:1", "[::1]:1", "127.1.2.3:1"]) {
      expect(containerClientFromConnectionString(local.replace("127.0.0.1:10000", host), "c1c").containerName).toBe(
        "c1c",
      );
    }
  });
});
