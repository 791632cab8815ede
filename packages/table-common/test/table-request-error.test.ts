import { failureError } from "@eph/core";
import { AZURITE_ACCOUNT_KEY, exposed } from "@eph/testing";
import { describe, expect, it } from "vitest";
import { classifyFailure, TableRequestError } from "../src/index.js";

// Where the record store's `#call` says a failure happened; core's failureError makes its error.
const at = (operation: string, name: string, partitionId?: string) => ({
  operation,
  store: `table "${name}"`,
  partitionId,
});

function restError(statusCode: number | undefined, code: string | undefined, message = "The service said no.") {
  return Object.assign(new Error(message), { name: "RestError", statusCode, code });
}

function odataError(statusCode: number, code: string, message: string) {
  return restError(statusCode, undefined, JSON.stringify({ "odata.error": { code, message: { value: message } } }));
}

describe("classifyFailure", () => {
  it("tells the cases the adapters answer differently", () => {
    const kinds = [
      [restError(404, "TableNotFound"), "storeNotFound"],
      [odataError(404, "TableNotFound", "The table specified does not exist."), "storeNotFound"],
      [restError(404, "ResourceNotFound"), "recordNotFound"],
      [restError(409, "EntityAlreadyExists"), "recordExists"],
      [restError(409, "TableBeingDeleted"), "unavailable"],
      [restError(412, "UpdateConditionNotSatisfied"), "conditionFailed"],
      [restError(503, "ServerBusy"), "unavailable"],
      [restError(429, undefined), "unavailable"],
      [restError(504, undefined), "unavailable"],
      [restError(undefined, "ECONNRESET"), "unavailable"],
      [restError(403, "AuthorizationFailure"), "unavailable"],
      [new TypeError("not a storage failure"), "unavailable"],
      [Object.assign(new Error("aborted"), { name: "AbortError" }), "aborted"],
    ] as const;
    for (const [thrown, kind] of kinds) expect(classifyFailure(thrown).kind, String(thrown)).toBe(kind);
    expect(classifyFailure(restError(503, "ServerBusy"), AbortSignal.abort()).kind).toBe("aborted");
  });

  it("reads code and sentence from an odata body, not the SDK error", () => {
    const thrown = Object.assign(odataError(503, "ServerBusy", "Busy.\nRequestId:1\nTime:now"), {
      request: { url: "http://127.0.0.1/t?sig=abc" },
    });
    const { cause: error } = classifyFailure(thrown);
    expect(error).toBeInstanceOf(TableRequestError);
    expect(error).toMatchObject({ statusCode: 503, code: "ServerBusy", message: "HTTP 503 ServerBusy: Busy." });
    expect(exposed(error)).not.toContain("sig=abc");
  });
});

describe("failureError of a classified failure", () => {
  it("maps to Aborted, StoreNotFound or StoreUnavailable, naming the operation and the table", () => {
    const notFound = failureError(classifyFailure(restError(404, "TableNotFound")), at("getLeases", "leases", "3"));
    expect(notFound).toMatchObject({ code: "StoreNotFound", partitionId: "3" });
    expect(notFound.message).toContain('table "leases" does not exist');
    const busy = failureError(classifyFailure(restError(503, "ServerBusy")), at("renewLease", "leases"));
    expect(busy.code).toBe("StoreUnavailable");
    expect(busy.message).toBe('renewLease failed on table "leases": HTTP 503 ServerBusy: The service said no.');
    expect(busy.cause).toBeInstanceOf(TableRequestError);
    const signal = AbortSignal.abort(new Error("deadline"));
    const aborted = failureError(
      classifyFailure(restError(503, "ServerBusy"), signal),
      at("getCheckpoint", "t", "1"),
      signal,
    );
    expect(aborted).toMatchObject({ code: "Aborted", cause: signal.reason });
  });

  it("redacts a request URL or key that a transport error quotes", () => {
    const sig = "c2VjcmV0LXNpZ25hdHVyZQ%3D%3D";
    const thrown = Object.assign(
      new Error(
        `request to http://127.0.0.1:1/devstoreaccount1/t?sv=2024&sig=${sig} failed; AccountKey=${AZURITE_ACCOUNT_KEY}`,
      ),
      { name: "RestError", code: "ECONNREFUSED" },
    );
    const error = failureError(classifyFailure(thrown), at("getLeases", "leases"));
    expect(error.code).toBe("StoreUnavailable");
    expect(error.message).toContain("?<redacted>");
    expect(exposed(error)).not.toContain(sig);
    expect(exposed(error)).not.toContain(AZURITE_ACCOUNT_KEY);
    const quoted = failureError(
      classifyFailure(new Error("SharedAccessKey=k3y;TableEndpoint=x")),
      at("read", "leases"),
    );
    expect(quoted.message).toContain("SharedAccessKey=<redacted>;TableEndpoint=x");
  });

  // Issue 13: the table copy of the redaction missed SharedKey (an Authorization header's signature).
  it("redacts a SharedKey authorization that a transport error quotes", () => {
    const signature = "dGhpcy1pcy1hLXNoYXJlZC1rZXktc2lnbmF0dXJl=";
    const thrown = Object.assign(new Error(`request failed; authorization: SharedKey devstoreaccount1:${signature}`), {
      name: "RestError",
      code: "ECONNRESET",
    });
    const error = failureError(classifyFailure(thrown), at("replace", "leases"));
    expect(error.code).toBe("StoreUnavailable");
    expect(exposed(error)).not.toContain(signature);
    expect(error.message).toContain("SharedKey <redacted>");
  });
});
