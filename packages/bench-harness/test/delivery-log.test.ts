import { appendFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { DeliveryLogReader, DeliveryLogWriter } from "../src/delivery-log.js";

it("reads back every record, only complete lines, as the log grows", () => {
  const path = join(mkdtempSync(join(tmpdir(), "eph-log-")), "w.log");
  const writer = new DeliveryLogWriter(path);
  const reader = new DeliveryLogReader(path);
  writer.write({ k: "S", t: 1 });
  writer.write({ k: "E", p: "3", seq: 7, epoch: 2, t: 5 });
  expect(reader.read()).toEqual([
    { k: "S", t: 1 },
    { k: "E", p: "3", seq: 7, epoch: 2, t: 5 },
  ]);
  appendFileSync(path, "O,3,2,");
  expect(reader.read()).toEqual([]);
  appendFileSync(path, "9\n");
  writer.write({ k: "X", op: "lease", p: "", t: 11, message: "a, b\nc é" });
  writer.write({ k: "K", p: "3", seq: 7, epoch: 2, t0: 12, t: 13, result: "CheckpointFenced" });
  expect(reader.read()).toEqual([
    { k: "O", p: "3", epoch: 2, t: 9 },
    { k: "X", op: "lease", p: "", t: 11, message: "a, b c é" },
    { k: "K", p: "3", seq: 7, epoch: 2, t0: 12, t: 13, result: "CheckpointFenced" },
  ]);
  writer.close();
});
