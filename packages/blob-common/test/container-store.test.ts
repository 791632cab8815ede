import { ContainerClient } from "@azure/storage-blob";
import { silentLogger } from "@eph/core";
import {
  type AzuriteInstance,
  blobQuickRetries,
  blobSasConnectionString,
  containerSas,
  freshContainerName,
  rawContainer,
  startAzurite,
} from "@eph/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContainerStore, containerClientFromConnectionString } from "../src/index.js";

let azurite: AzuriteInstance;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.close();
});

function store(name = freshContainerName()): ContainerStore {
  return new ContainerStore(rawContainer(azurite.blobEndpoint, name), silentLogger);
}

describe("ContainerStore", () => {
  it("creates a missing container once however many hosts ask at once, and deletes it", async () => {
    const name = freshContainerName();
    const stores = Array.from({ length: 5 }, () => store(name));
    expect(await stores[0]!.exists()).toBe(false);
    await Promise.all(stores.map((s) => s.ensure()));
    expect(await stores[1]!.exists()).toBe(true);
    await stores[2]!.delete();
    expect(await stores[3]!.exists()).toBe(false);
    await stores[4]!.delete(); // no error when already gone
  });

  it("works with a SAS scoped to the container, which may not create it or read its properties", async () => {
    const name = freshContainerName();
    await rawContainer(azurite.blobEndpoint, name).create();
    const sas = (container: string) =>
      new ContainerStore(
        containerClientFromConnectionString(
          blobSasConnectionString(azurite.blobEndpoint, containerSas(container)),
          container,
          {
            clientOptions: blobQuickRetries,
          },
        ),
        silentLogger,
      );
    expect(await sas(name).exists()).toBe(true);
    await sas(name).ensure();
    const missing = freshContainerName();
    expect(await sas(missing).exists()).toBe(false);
    const refused = await sas(missing)
      .ensure()
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: "StoreUnavailable", message: expect.stringContaining("403") });
  });

  it("maps failures to the contract's errors, naming the operation and the container", async () => {
    const warnings: string[] = [];
    const unreachable = new ContainerStore(
      new ContainerClient("http://127.0.0.1:1/devstoreaccount1/gone", undefined, { retryOptions: { maxTries: 1 } }),
      {
        ...silentLogger,
        warning: (message: string) => warnings.push(message),
      },
    );
    expect(unreachable.containerName).toBe("gone");
    await expect(unreachable.ensure()).rejects.toMatchObject({
      code: "StoreUnavailable",
      message: expect.stringContaining('ensureStore failed on container "gone"'),
    });
    expect(warnings).toHaveLength(1);
    await expect(unreachable.exists(AbortSignal.abort())).rejects.toMatchObject({ code: "Aborted" });
  });

  it("refuses anything but a ContainerClient", () => {
    expect(() => new ContainerStore({}, silentLogger)).toThrow(expect.objectContaining({ code: "InvalidOption" }));
  });
});
