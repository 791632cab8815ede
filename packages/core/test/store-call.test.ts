import { describe, expect, it } from "vitest";
import {
  type ClassifiedFailure,
  classifyHttpFailure,
  type Logger,
  StoreRequestError,
  silentLogger,
  storeCall,
} from "../src/index.js";

function recording(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warning: (message: string) => warnings.push(message), warnings };
}

const site = { operation: "replace", store: 'table "leases"', partitionId: "3" };

// A client that throws strings: "missing" is a missing record, "gone" a missing table, anything else a failure.
const classify = (thrown: unknown): ClassifiedFailure => {
  const cause = new StoreRequestError(`said ${String(thrown)}`, undefined);
  if (thrown === "missing") return { kind: "recordNotFound", cause };
  return { kind: thrown === "gone" ? "storeNotFound" : "unavailable", cause };
};

describe("storeCall", () => {
  it("returns the request's result, or the answer a failure gives", async () => {
    expect(await storeCall(undefined, silentLogger, site, async () => 7, classify)).toBe(7);
    expect(await storeCall(undefined, silentLogger, site, () => Promise.reject("missing"), classify)).toBe(
      "recordNotFound",
    );
  });

  it("throws the contract's error at the call site, logging StoreUnavailable only", async () => {
    const logger = recording();
    await expect(storeCall(undefined, logger, site, () => Promise.reject("boom"), classify)).rejects.toMatchObject({
      code: "StoreUnavailable",
      message: 'replace failed on table "leases": said boom',
      partitionId: "3",
    });
    await expect(storeCall(undefined, logger, site, () => Promise.reject("gone"), classify)).rejects.toMatchObject({
      code: "StoreNotFound",
    });
    expect(logger.warnings).toEqual(['replace failed on table "leases": said boom']);
  });

  it("throws an answer the call does not take as StoreUnavailable", async () => {
    const none = () => false;
    await expect(
      storeCall(undefined, silentLogger, site, () => Promise.reject("missing"), classify, none),
    ).rejects.toMatchObject({ code: "StoreUnavailable" });
  });

  it("rejects Aborted without starting the request when the signal already fired, and passes the signal on", async () => {
    let started = false;
    const request = async () => {
      started = true;
    };
    const aborted = { abortSignal: AbortSignal.abort() };
    await expect(storeCall(aborted, silentLogger, site, request, classify)).rejects.toMatchObject({ code: "Aborted" });
    expect(started).toBe(false);
    const signal = new AbortController().signal;
    expect(
      await storeCall({ abortSignal: signal }, silentLogger, site, async (given) => given === signal, classify),
    ).toBe(true);
  });
});

describe("classifyHttpFailure", () => {
  const codes = { storeNotFound: "ContainerNotFound", recordExists: "BlobAlreadyExists" };
  const make = (message: string, code: string | undefined, status: number | undefined) =>
    new StoreRequestError(message, code, status);
  const rest = (statusCode: number | undefined, code?: string, message = "No.") =>
    Object.assign(new Error(message), { name: "RestError", statusCode, code });
  const kind = (thrown: unknown, signal?: AbortSignal) => classifyHttpFailure(thrown, signal, codes, make).kind;

  it("tells the answers from the failures by status and the store's codes", () => {
    expect(kind(rest(404, "ContainerNotFound"))).toBe("storeNotFound");
    expect(kind(rest(404, "BlobNotFound"))).toBe("recordNotFound");
    expect(kind(rest(409, "BlobAlreadyExists"))).toBe("recordExists");
    expect(kind(rest(409, "ContainerBeingDeleted"))).toBe("unavailable");
    expect(kind(rest(412, "LeaseIdMissing"))).toBe("conditionFailed");
    expect(kind(rest(403, "AuthenticationFailed"))).toBe("unavailable");
    expect(kind(rest(undefined, "ECONNRESET"))).toBe("unavailable");
    expect(kind(rest(412), AbortSignal.abort())).toBe("aborted");
  });

  it("keeps status, code and the first sentence, redacted; reads a body the store's client leaves in the message", () => {
    const thrown = rest(503, "ServerBusy", "Busy at https://a.blob.core.windows.net/c?sig=abc\nRequestId:1");
    expect(classifyHttpFailure(thrown, undefined, codes, make).cause.message).toBe(
      "HTTP 503 ServerBusy: Busy at https://a.blob.core.windows.net/c?<redacted>",
    );
    const body = (message: string) => (message === "{}" ? { code: "TableNotFound", message: "No table." } : undefined);
    const odata = classifyHttpFailure(
      rest(404, undefined, "{}"),
      undefined,
      { ...codes, storeNotFound: "TableNotFound" },
      make,
      body,
    );
    expect(odata).toMatchObject({ kind: "storeNotFound", cause: { message: "HTTP 404 TableNotFound: No table." } });
  });
});
