import { describe, expect, it } from "vitest";
import { blobScope, partitionBlobName, partitionIdOf, pathSegment, scopePrefix } from "../src/index.js";

const info = {
  hostName: "a",
  fullyQualifiedNamespace: "Contoso.servicebus.windows.net",
  eventHubName: "Orders",
  consumerGroup: "$Default",
};

describe("blob names", () => {
  it("scopes records by namespace, hub and consumer group, case-insensitively", () => {
    expect(scopePrefix(info)).toBe("contoso.servicebus.windows.net/orders/$default/");
    expect(scopePrefix({ ...info, consumerGroup: "$default" })).toBe(scopePrefix(info));
  });

  it("names a partition's blob under the prefix and reads the partition id back", () => {
    const prefix = `${scopePrefix(info)}eph-lease/`;
    const name = partitionBlobName(prefix, "12");
    expect(name).toBe("contoso.servicebus.windows.net/orders/$default/eph-lease/12");
    expect(partitionIdOf(prefix, name)).toBe("12");
    expect(partitionIdOf(prefix, "elsewhere/12")).toBeUndefined();
    expect(partitionIdOf(prefix, `${prefix}nested/12`)).toBeUndefined();
  });

  it("refuses segments a blob path cannot hold, naming what is wrong", () => {
    for (const bad of ["", "a/b", "a\\b", "a\u0000b", "dot.", "..", "\ud800", "x".repeat(257), 7, undefined]) {
      expect(() => pathSegment("partitionId", bad)).toThrow(
        expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("partitionId") }),
      );
    }
    expect(pathSegment("partitionId", "ünïcode-0")).toBe("ünïcode-0");
    expect(() => scopePrefix({ ...info, eventHubName: "a/b" })).toThrow(
      expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("HostInfo.eventHubName") }),
    );
  });

  it("refuses a blob name longer than the service accepts, with the partition id on the error", () => {
    const prefix = `${"p".repeat(900)}/`;
    expect(() => partitionBlobName(prefix, "x".repeat(200))).toThrow(
      expect.objectContaining({ code: "InvalidOption", partitionId: "x".repeat(200) }),
    );
  });

  it("keeps a copy of the host's identity with the prefix of one kind of record", () => {
    const caller = { ...info };
    const scope = blobScope(caller, "eph-lease");
    caller.hostName = "changed";
    expect(scope).toEqual({
      info: { ...info, hostName: "a" },
      prefix: "contoso.servicebus.windows.net/orders/$default/eph-lease/",
    });
    expect(() => blobScope({ ...info, hostName: "" }, "eph-lease")).toThrow(
      expect.objectContaining({ code: "InvalidOption", message: "HostInfo.hostName must be a non-empty string." }),
    );
  });
});
