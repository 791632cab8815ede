import { describe, expect, it } from "vitest";
import { RecordTable } from "../src/index.js";

function table(maxRecords = 10): RecordTable {
  const t = new RecordTable(maxRecords, "in-memory test store");
  t.create();
  return t;
}

describe("RecordTable", () => {
  it("does not exist until created and forgets everything when dropped", () => {
    const t = new RecordTable(10, "in-memory test store");
    expect(t.exists).toBe(false);
    expect(() => t.read("s", "0")).toThrow(
      expect.objectContaining({ code: "StoreNotFound", message: expect.stringContaining("in-memory test store") }),
    );
    t.create();
    t.insert("s", "0", 1, "partition 0");
    t.drop();
    expect(t.exists).toBe(false);
    t.create();
    expect(t.list("s")).toEqual([]);
    expect(t.size).toBe(0);
  });

  it("inserts only when absent and replaces only on the current version", () => {
    const t = table();
    const v1 = t.insert("s", "0", "a", "partition 0")!;
    expect(t.insert("s", "0", "b", "partition 0")).toBeUndefined();
    const replaced = t.replace("s", "0", "c", v1);
    expect(replaced).toMatchObject({ ok: true });
    expect(t.replace("s", "0", "d", v1)).toEqual({ ok: false });
    expect(t.read("s", "0")).toEqual({ value: "c", version: (replaced as { version: string }).version });
    expect(t.replace("s", "missing", "x", v1)).toEqual({ ok: false });
  });

  it("never reuses a version, even for a record deleted and created again", () => {
    const t = table();
    const versions = new Set<string>();
    for (let i = 0; i < 3; i++) {
      versions.add(t.insert("s", "0", i, "partition 0")!);
      versions.add(t.upsert("s", "0", -i, "partition 0"));
      t.delete("s", "0");
    }
    expect(versions.size).toBe(6);
  });

  it("keeps scopes apart and lists one scope's records", () => {
    const t = table();
    t.insert("hub-a", "0", "a0", "partition 0");
    t.insert("hub-a", "1", "a1", "partition 1");
    t.insert("hub-b", "0", "b0", "partition 0");
    expect(t.list("hub-a").map(([id, r]) => [id, r.value])).toEqual([
      ["0", "a0"],
      ["1", "a1"],
    ]);
    expect(t.read("hub-b", "0")?.value).toBe("b0");
    expect(t.size).toBe(3);
  });

  it("refuses a record beyond maxRecords, naming the record and the limit, but still replaces", () => {
    const t = table(2);
    t.insert("s", "0", 0, "partition 0");
    const v = t.insert("s", "1", 1, "partition 1")!;
    expect(() => t.insert("s", "2", 2, 'partition "2"')).toThrow(
      expect.objectContaining({
        code: "InvalidOption",
        message: expect.stringMatching(/partition "2".*maxRecords is 2/),
      }),
    );
    expect(() => t.upsert("s", "3", 3, "partition 3")).toThrow(expect.objectContaining({ code: "InvalidOption" }));
    expect(t.replace("s", "1", 11, v)).toMatchObject({ ok: true });
    t.delete("s", "0");
    expect(t.insert("s", "2", 2, "partition 2")).toBeDefined();
  });
});
