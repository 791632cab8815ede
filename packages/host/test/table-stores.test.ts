import { TableCheckpointer } from "@eph/checkpointer-table";
import { TableLeaser } from "@eph/leaser-table";
import { type AzuriteInstance, startAzurite } from "@eph/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventProcessorHost } from "../src/index.js";
import { type Emulator, fastTiming, Recorder, sendToAll, startEmulator, waitFor } from "./helpers.js";

describe("end to end on Table storage (Azurite)", () => {
  let emu: Emulator;
  let azurite: AzuriteInstance;
  beforeAll(async () => {
    [emu, azurite] = await Promise.all([startEmulator({ hubs: { tables: 4 } }), startAzurite()]);
  });
  afterAll(async () => {
    await Promise.all([emu?.close(), azurite?.close()]);
  });

  it("two hosts share the hub; when one closes the other resumes its partitions without duplicates", async () => {
    const rec = new Recorder();
    const make = async (hostName: string) => {
      const host = await EventProcessorHost.fromConnectionString(
        emu.connectionString("tables"),
        TableLeaser.fromConnectionString(azurite.connectionString, "ephleases"),
        TableCheckpointer.fromConnectionString(azurite.connectionString, "ephcheckpoints"),
        { hostName, noBanner: true, ...fastTiming, maxWaitTimeInSeconds: 1, onError: (e) => rec.errors.push(e) },
      );
      host.registerHandler(rec.handler(() => hostName));
      return host;
    };
    const ids = ["0", "1", "2", "3"];
    const a = await make("a");
    const b = await make("b");
    await Promise.all([a.startNonBlocking(), b.startNonBlocking()]);
    await waitFor(
      () => a.partitionIdsBeingProcessed().length === 2 && b.partitionIdsBeingProcessed().length === 2,
      "the partitions are split 2 / 2",
    );
    const first = await sendToAll(emu, "tables", ids, 30, "first-");
    await waitFor(() => first.every((body) => rec.distinct().has(body)), "the first events");
    const fromA = a.partitionIdsBeingProcessed();
    await a.close();
    const second = await sendToAll(emu, "tables", ids, 30, "second-");
    await waitFor(() => b.partitionIdsBeingProcessed().length === 4, "b reads every partition");
    await waitFor(() => second.every((body) => rec.distinct().has(body)), "the later events");
    expect(rec.duplicates()).toEqual([]);
    // b resumed a's partitions after a's checkpoints: it received none of their first events.
    const replayed = rec.deliveries.filter(
      (d) => d.host === "b" && fromA.includes(d.partitionId) && first.includes(d.body),
    );
    expect(replayed).toEqual([]);
    expect(rec.errors.filter((e) => !e.willRetry)).toEqual([]);
    await b.close();
  });
});
