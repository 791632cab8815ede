import { describe, expect, it } from "vitest";
import { EphError, type Logger, silentLogger, storeCall } from "../src/index.js";

function recording(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warning: (message: string) => warnings.push(message), warnings };
}

const translate = (thrown: unknown) =>
  thrown === "missing" ? { answer: "missing" as const } : new EphError("StoreUnavailable", `failed: ${String(thrown)}`);

describe("storeCall", () => {
  it("returns the request's result, or the answer the adapter makes of a failure", async () => {
    expect(await storeCall(undefined, silentLogger, async () => 7, translate)).toBe(7);
    expect(await storeCall(undefined, silentLogger, () => Promise.reject("missing"), translate)).toBe("missing");
  });

  it("throws the adapter's error, logging StoreUnavailable only", async () => {
    const logger = recording();
    await expect(storeCall(undefined, logger, () => Promise.reject("boom"), translate)).rejects.toMatchObject({
      code: "StoreUnavailable",
      message: "failed: boom",
    });
    const notFound = () => new EphError("StoreNotFound", "no table");
    await expect(storeCall(undefined, logger, () => Promise.reject("x"), notFound)).rejects.toMatchObject({
      code: "StoreNotFound",
    });
    expect(logger.warnings).toEqual(["failed: boom"]);
  });

  it("rejects Aborted without starting the request when the signal already fired, and passes the signal on", async () => {
    let started = false;
    const request = async () => {
      started = true;
    };
    await expect(
      storeCall({ abortSignal: AbortSignal.abort() }, silentLogger, request, translate),
    ).rejects.toMatchObject({
      code: "Aborted",
    });
    expect(started).toBe(false);
    const signal = new AbortController().signal;
    expect(await storeCall({ abortSignal: signal }, silentLogger, async (given) => given === signal, translate)).toBe(
      true,
    );
  });
});
