import { EphError } from "@eph/core";
import { describe, expect, it } from "vitest";
import { type MemoryStoreInterceptor, nextMicrotask, runStoreCall } from "../src/index.js";

const call = { operation: "replace", hostName: "a", partitionId: "3" } as const;

describe("runStoreCall", () => {
  it("applies the operation on a later microtask by default", async () => {
    let applied = false;
    const result = runStoreCall(nextMicrotask, call, undefined, "in-memory test store", () => {
      applied = true;
      return 42;
    });
    expect(applied).toBe(false);
    expect(await result).toBe(42);
  });

  it("reports what an interceptor throws as StoreUnavailable naming the store, operation and partition", async () => {
    const failing: MemoryStoreInterceptor = async () => {
      throw new Error("injected");
    };
    const error = await runStoreCall(failing, call, undefined, "in-memory test store", () => 1).catch((e) => e);
    expect(error).toBeInstanceOf(EphError);
    expect(error).toMatchObject({
      code: "StoreUnavailable",
      message: "The in-memory test store failed a replace operation.",
      partitionId: "3",
      cause: expect.objectContaining({ message: "injected" }),
    });
  });

  it("passes EphErrors through and answers Aborted once the caller's signal fired", async () => {
    const fenced = new EphError("CheckpointFenced", "fenced");
    await expect(
      runStoreCall(nextMicrotask, call, undefined, "s", () => {
        throw fenced;
      }),
    ).rejects.toBe(fenced);
    const controller = new AbortController();
    const late: MemoryStoreInterceptor = async (_call, apply) => {
      controller.abort();
      return apply();
    };
    let applied = false;
    const aborted = runStoreCall(late, call, controller.signal, "s", () => {
      applied = true;
    });
    await expect(aborted).rejects.toMatchObject({ code: "Aborted" });
    expect(applied).toBe(false);
  });
});
