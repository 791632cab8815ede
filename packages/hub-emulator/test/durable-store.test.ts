import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import rhea from "rhea";
import { afterEach, expect, it } from "vitest";
import { openDurableStore } from "../src/durable-store.js";
import { parseEvent } from "../src/event-encoding.js";
import { DEFAULT_RETENTION } from "../src/options.js";
import { eventBytes, PartitionLog } from "../src/partition-log.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const retention = { ...DEFAULT_RETENTION, maxEventsPerPartition: 10 };
const event = (n: number) => parseEvent(rhea.message.encode({ body: `event-${n}-${"x".repeat(100)}` }));

it("deletes segments once all their events expired, and restores the retained ones with their numbering", async () => {
  const root = mkdtempSync(join(tmpdir(), "eph-hub-emulator-store-"));
  dirs.push(root);
  const store = await openDurableStore(root, 1024);
  const log = new PartitionLog("0", retention);
  store.saveHub("hub", 1, 1);
  store.attach("hub", log);
  for (let n = 0; n < 60; n++) log.append([event(n)], undefined, 1000 + n);
  store.close();
  const segments = readdirSync(join(root, "hub", "0"));
  // 60 events of ~200 bytes in 1 KiB segments: without deletion there would be a dozen files.
  expect(segments.length).toBeLessThanOrEqual(4);

  const reopened = await openDurableStore(root, 1024);
  const saved = reopened.hub("hub")!;
  const restored = new PartitionLog("0", retention, saved.partitions[0]);
  restored.expire(2000);
  expect(restored.beginSequenceNumber).toBe(50);
  expect(restored.lastSequenceNumber).toBe(59);
  expect(restored.lastEnqueued).toEqual(log.lastEnqueued);
  expect(rhea.message.decode(eventBytes(restored.at(55)!)).body).toBe(`event-55-${"x".repeat(100)}`);
  expect(restored.at(55)!.offset).toBe(log.at(55)!.offset);
  reopened.attach("hub", restored);
  restored.append([event(60)], undefined, 2000);
  expect(restored.at(60)!.offset).toBeGreaterThan(restored.at(59)!.offset);
  reopened.close();
});
