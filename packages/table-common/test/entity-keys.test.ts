import { describe, expect, it } from "vitest";
import { escapeKeyPart, groupPartitionKey, partitionRowKey, unescapeKeyPart } from "../src/index.js";

const info = {
  hostName: "a",
  fullyQualifiedNamespace: "Contoso.servicebus.windows.net",
  eventHubName: "Orders",
  consumerGroup: "$Default",
};

describe("entity keys", () => {
  it("escapes every character a table key may not hold, reversibly", () => {
    for (const part of ["0", "a b", "a/b\\c#d?e", "100%+'", "!", "tab\there", "ünï", "日本", "😀", ""]) {
      const key = escapeKeyPart(part);
      expect(key).toMatch(/^[A-Za-z0-9._$~!-]*$/);
      expect(unescapeKeyPart(key)).toBe(part);
    }
    expect(escapeKeyPart("a b/é")).toBe("a!20b!2F!E9");
    expect(escapeKeyPart("日")).toBe("!u65E5");
  });

  it("does not read keys it did not write", () => {
    for (const foreign of ["a b", "!", "!2", "!zz", "!u12", "!u12G4", "a/b"])
      expect(unescapeKeyPart(foreign)).toBeUndefined();
  });

  it("groups a hub's records under one PartitionKey, names lower-cased, parts kept apart", () => {
    expect(groupPartitionKey(info, "eph-lease")).toBe("contoso.servicebus.windows.net orders $default eph-lease");
    expect(groupPartitionKey({ ...info, consumerGroup: "$default" }, "eph-lease")).toBe(
      groupPartitionKey(info, "eph-lease"),
    );
    // Separators inside names are escaped, so hub "a b" + group "c" differs from hub "a" + group "b c".
    expect(groupPartitionKey({ ...info, eventHubName: "a b", consumerGroup: "c" }, "k")).not.toBe(
      groupPartitionKey({ ...info, eventHubName: "a", consumerGroup: "b c" }, "k"),
    );
    expect(() => groupPartitionKey({ ...info, eventHubName: "h".repeat(1100) }, "k")).toThrow(
      expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("too long") }),
    );
  });

  it("keys a partition by its escaped id and refuses ids no key can hold", () => {
    expect(partitionRowKey("0")).toBe("0");
    expect(partitionRowKey("a/b")).toBe("a!2Fb");
    for (const bad of ["", 7, undefined, null]) {
      expect(() => partitionRowKey(bad)).toThrow(
        expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("partitionId") }),
      );
    }
    expect(() => partitionRowKey("/".repeat(400))).toThrow(expect.objectContaining({ code: "InvalidOption" }));
  });
});
