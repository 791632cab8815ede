import { failureError } from "@eph/core";
import { AZURITE_ACCOUNT_KEY, exposed } from "@eph/testing";
import { describe, expect, it } from "vitest";
import { BlobRequestError, classifyFailure } from "../src/blob-request-error.js";

// Where the record store's `#call` says a failure happened; core's failureError makes its error.
const at = (operation: string, name: string, partitionId?: string) => ({
  operation,
  store: `container "${name}"`,
  partitionId,
});

function restError(statusCode: number | undefined, code: string | undefined, message = "The service said no.") {
  return Object.assign(new Error(message), { name: "RestError", statusCode, code });
}

describe("classifyFailure", () => {
  it("tells the cases the adapters answer differently", () => {
    const kinds = [
      [restError(404, "ContainerNotFound"), "storeNotFound"],
      [restError(404, "BlobNotFound"), "recordNotFound"],
      [restError(404, undefined), "recordNotFound"],
      [restError(409, "BlobAlreadyExists"), "recordExists"],
      [restError(412, "ConditionNotMet"), "conditionFailed"],
      [restError(412, "LeaseIdMissing"), "conditionFailed"],
      [restError(503, "ServerBusy"), "unavailable"],
      [restError(429, undefined), "unavailable"],
      [restError(500, "OperationTimedOut"), "unavailable"],
      [restError(409, "ContainerBeingDeleted"), "unavailable"],
      [restError(undefined, "ECONNRESET"), "unavailable"],
      [restError(403, "AuthenticationFailed"), "unavailable"],
      [new TypeError("not a storage failure"), "unavailable"],
      [Object.assign(new Error("aborted"), { name: "AbortError" }), "aborted"],
    ] as const;
    for (const [thrown, kind] of kinds) expect(classifyFailure(thrown).kind, String(thrown)).toBe(kind);
    expect(classifyFailure(restError(503, "ServerBusy"), AbortSignal.abort()).kind).toBe("aborted");
  });

  it("keeps status, service code and the first line of the message, not the SDK error", () => {
    const thrown = Object.assign(restError(503, undefined, "Server busy.\nRequestId:1\nTime:now"), {
      details: { errorCode: "ServerBusy" },
      request: { url: "http://127.0.0.1/secret?sig=abc" },
    });
    const { cause: error } = classifyFailure(thrown);
    expect(error).toBeInstanceOf(BlobRequestError);
    expect(error).toMatchObject({ statusCode: 503, code: "ServerBusy", message: "HTTP 503 ServerBusy: Server busy." });
    expect(exposed(error)).not.toContain("sig=abc");
    expect(classifyFailure({}).cause.message).toBe("unknown error");
  });
});

describe("failureError of a classified failure", () => {
  it("maps to Aborted, StoreNotFound or StoreUnavailable, naming the operation and the container", () => {
    const notFound = failureError(classifyFailure(restError(404, "ContainerNotFound")), at("getLeases", "leases", "3"));
    expect(notFound).toMatchObject({ code: "StoreNotFound", partitionId: "3" });
    expect(notFound.message).toContain('container "leases" does not exist');
    const busy = failureError(classifyFailure(restError(503, "ServerBusy")), at("renewLease", "leases"));
    expect(busy.code).toBe("StoreUnavailable");
    expect(busy.message).toBe('renewLease failed on container "leases": HTTP 503 ServerBusy: The service said no.');
    expect(busy.cause).toBeInstanceOf(BlobRequestError);
    const signal = AbortSignal.abort(new Error("deadline"));
    const aborted = failureError(
      classifyFailure(restError(503, "ServerBusy"), signal),
      at("ensureLease", "c", "1"),
      signal,
    );
    expect(aborted).toMatchObject({ code: "Aborted", cause: signal.reason });
  });

  it("redacts a request URL, key or signature that a transport error quotes", () => {
    const sig = "c2VjcmV0LXNpZ25hdHVyZQ%3D%3D";
    const thrown = Object.assign(
      new Error(
        `request to http://127.0.0.1:1/devstoreaccount1/c?sv=2024&sig=${sig} failed; AccountKey=${AZURITE_ACCOUNT_KEY}; Authorization: SharedKey devstoreaccount1:${sig}`,
      ),
      { name: "RestError", code: "ECONNREFUSED" },
    );
    const error = failureError(classifyFailure(thrown), at("getLeases", "leases"));
    expect(error.code).toBe("StoreUnavailable");
    expect(error.message).toContain("?<redacted>");
    expect(exposed(error)).not.toContain(sig);
    expect(exposed(error)).not.toContain(AZURITE_ACCOUNT_KEY);
  });
});
