import { describe, expect, it } from "vitest";
import { escapeId, pathSegment, recordBlobName, scopePrefix, unescapeId } from "../src/blob-names.js";
import { decodeMetadata, encodeMetadata } from "../src/metadata-values.js";

const scope = {
  fullyQualifiedNamespace: "Contoso.servicebus.windows.net",
  eventHubName: "Orders",
  consumerGroup: "$Default",
};

describe("blob names", () => {
  it("scopes records by namespace, hub and consumer group, case-insensitively", () => {
    expect(scopePrefix(scope)).toBe("contoso.servicebus.windows.net/orders/$default/");
    expect(scopePrefix({ ...scope, consumerGroup: "$default" })).toBe(scopePrefix(scope));
  });

  it("keeps partition ids as they are, so KEDA and the official store find their blobs", () => {
    const folder = `${scopePrefix(scope)}checkpoint/`;
    expect(recordBlobName(folder, "12")).toBe("contoso.servicebus.windows.net/orders/$default/checkpoint/12");
    for (const id of ["0", "31", "a b", "ünïcode-0", "$Default", "x#y?z"]) expect(escapeId(id)).toBe(id);
  });

  it("escapes what a blob name's last segment cannot hold, reversibly", () => {
    const odd = ["a/b", "a\\b", "%2F", "!", "..", ".", "0.", "a\nb", "\ud800", "🙂"];
    for (const id of odd) {
      const segment = escapeId(id);
      expect(segment).not.toMatch(/[/\\%\n]|\.$/);
      expect(unescapeId(segment)).toBe(id);
    }
    expect(new Set(odd.map(escapeId)).size).toBe(odd.length);
    for (const segment of ["", "0.", "a/b", "!zz", "!002F", "%2F"]) expect(unescapeId(segment)).toBeUndefined();
  });

  it("refuses scope names a blob path cannot hold, naming what is wrong", () => {
    for (const bad of ["a/b", "a\\b", "a\u0000b", "dot.", "..", "\ud800", "x".repeat(257)]) {
      expect(() => pathSegment("HostInfo.eventHubName", bad)).toThrow(
        expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("HostInfo.eventHubName") }),
      );
    }
    expect(() => scopePrefix({ ...scope, eventHubName: "a/b" })).toThrow(
      expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("HostInfo.eventHubName") }),
    );
  });

  it("refuses a blob name longer than the service accepts, with the id on the error", () => {
    expect(() => recordBlobName(`${"p".repeat(900)}/`, "x".repeat(200))).toThrow(
      expect.objectContaining({ code: "InvalidOption", partitionId: "x".repeat(200) }),
    );
  });
});

describe("metadata values", () => {
  it("stores header-safe values as they are and percent-encodes the others, reversibly", () => {
    const fields = { sequencenumber: "-1", offset: "4100", owner: "host a/é", empty: "", pct: "100%", pad: " x " };
    const metadata = encodeMetadata(fields, "0");
    expect(metadata).toEqual({
      sequencenumber: "-1",
      offset: "4100",
      owner: "host%20a%2F%C3%A9",
      empty: "%",
      pct: "100%25",
      pad: "%20x%20",
    });
    expect(decodeMetadata(metadata)).toEqual(fields);
    expect(decodeMetadata({ Owner: "x" })).toEqual({ owner: "x" });
  });

  it("refuses names and values metadata cannot hold, and names metadata that are no encoding", () => {
    for (const fields of [{ "Bad-Name": "x" }, { "1st": "x" }, { owner: "\ud800" }]) {
      expect(() => encodeMetadata(fields, "7")).toThrow(
        expect.objectContaining({ code: "InvalidOption", partitionId: "7" }),
      );
    }
    expect(decodeMetadata({ owner: "%E0%A4%A" })).toBe('its metadata "owner" is not percent-encoded');
  });
});
