import { TableClient } from "@azure/data-tables";
import { silentLogger } from "@eph/core";
import { type AzuriteInstance, freshTableName, hostInfo, rawTableClient, startAzurite } from "@eph/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TableStore, validateHostInfo } from "../src/index.js";

let azurite: AzuriteInstance;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.close();
});

describe("TableStore", () => {
  it("creates a missing table once however many hosts ask at once, and deletes it", async () => {
    const name = freshTableName();
    const stores = Array.from({ length: 5 }, () => new TableStore(rawTableClient(azurite, name), silentLogger));
    expect(await stores[0]!.exists()).toBe(false);
    await Promise.all(stores.map((s) => s.ensure()));
    expect(await stores[1]!.exists()).toBe(true);
    await stores[2]!.delete();
    expect(await stores[3]!.exists()).toBe(false);
    await stores[4]!.delete(); // no error when already gone
  });

  it("maps failures to the contract's errors, naming the operation and the table", async () => {
    const warnings: string[] = [];
    const client = new TableClient("http://127.0.0.1:1/devstoreaccount1", "gone", {
      allowInsecureConnection: true,
      retryOptions: { maxRetries: 0 },
    });
    const unreachable = new TableStore(client, {
      ...silentLogger,
      warning: (message: string) => warnings.push(message),
    });
    expect(unreachable.tableName).toBe("gone");
    await expect(unreachable.ensure()).rejects.toMatchObject({
      code: "StoreUnavailable",
      message: expect.stringContaining('ensureStore failed on table "gone"'),
    });
    expect(warnings).toHaveLength(1);
    await expect(unreachable.exists(AbortSignal.abort())).rejects.toMatchObject({ code: "Aborted" });
  });

  it("refuses anything but a TableClient", () => {
    expect(() => new TableStore({}, silentLogger)).toThrow(expect.objectContaining({ code: "InvalidOption" }));
  });
});

describe("validateHostInfo", () => {
  it("names the first field that is not a non-empty string", () => {
    expect(() => validateHostInfo(hostInfo("a"))).not.toThrow();
    expect(() => validateHostInfo(hostInfo("a", { eventHubName: "" }))).toThrow(
      expect.objectContaining({ code: "InvalidOption", message: "HostInfo.eventHubName must be a non-empty string." }),
    );
  });
});
