import { AZURITE_ACCOUNT_KEY, exposed } from "@eph/testing";
import { describe, expect, it } from "vitest";
import { classifyFailure, TableRequestError, toEphError } from "../src/index.js";

function restError(statusCode: number | undefined, code: string | undefined, message = "The service said no.") {
  return Object.assign(new Error(message), { name: "RestError", statusCode, code });
}

function odataError(statusCode: number, code: string, message: string) {
  return restError(statusCode, undefined, JSON.stringify({ "odata.error": { code, message: { value: message } } }));
}

describe("classifyFailure", () => {
  it("tells the cases the adapters answer differently", () => {
    const kinds = [
      [restError(404, "TableNotFound"), "tableNotFound"],
      [odataError(404, "TableNotFound", "The table specified does not exist."), "tableNotFound"],
      [restError(404, "ResourceNotFound"), "entityNotFound"],
      [restError(409, "EntityAlreadyExists"), "entityExists"],
      [restError(409, "TableBeingDeleted"), "transient"],
      [restError(412, "UpdateConditionNotSatisfied"), "conditionFailed"],
      [restError(503, "ServerBusy"), "transient"],
      [restError(429, undefined), "transient"],
      [restError(504, undefined), "transient"],
      [restError(undefined, "ECONNRESET"), "transient"],
      [restError(403, "AuthorizationFailure"), "rejected"],
      [new TypeError("not a storage failure"), "rejected"],
      [Object.assign(new Error("aborted"), { name: "AbortError" }), "aborted"],
    ] as const;
    for (const [thrown, kind] of kinds) expect(classifyFailure(thrown).kind, String(thrown)).toBe(kind);
    expect(classifyFailure(restError(503, "ServerBusy"), AbortSignal.abort()).kind).toBe("aborted");
  });

  it("reads code and sentence from an odata body, not the SDK error", () => {
    const thrown = Object.assign(odataError(503, "ServerBusy", "Busy.\nRequestId:1\nTime:now"), {
      request: { url: "http://127.0.0.1/t?sig=abc" },
    });
    const { error } = classifyFailure(thrown);
    expect(error).toBeInstanceOf(TableRequestError);
    expect(error).toMatchObject({ statusCode: 503, code: "ServerBusy", message: "HTTP 503 ServerBusy: Busy." });
    expect(exposed(error)).not.toContain("sig=abc");
  });
});

describe("toEphError", () => {
  it("maps to Aborted, StoreNotFound or StoreUnavailable, naming the operation and the table", () => {
    const notFound = toEphError(classifyFailure(restError(404, "TableNotFound")), "getLeases", "leases", "3");
    expect(notFound).toMatchObject({ code: "StoreNotFound", partitionId: "3" });
    expect(notFound.message).toContain('table "leases" does not exist');
    const busy = toEphError(classifyFailure(restError(503, "ServerBusy")), "renewLease", "leases");
    expect(busy.code).toBe("StoreUnavailable");
    expect(busy.message).toBe('renewLease failed on table "leases": HTTP 503 ServerBusy: The service said no.');
    expect(busy.cause).toBeInstanceOf(TableRequestError);
    const signal = AbortSignal.abort(new Error("deadline"));
    const aborted = toEphError(
      classifyFailure(restError(503, "ServerBusy"), signal),
      "getCheckpoint",
      "t",
      "1",
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
    const error = toEphError(classifyFailure(thrown), "getLeases", "leases");
    expect(error.code).toBe("StoreUnavailable");
    expect(error.message).toContain("?<redacted>");
    expect(exposed(error)).not.toContain(sig);
    expect(exposed(error)).not.toContain(AZURITE_ACCOUNT_KEY);
    const quoted = toEphError(classifyFailure(new Error("SharedAccessKey=k3y;TableEndpoint=x")), "read", "leases");
    expect(quoted.message).toContain("SharedAccessKey=<redacted>;TableEndpoint=x");
  });

  // Issue 13: the table copy of the redaction missed SharedKey (an Authorization header's signature).
  it("redacts a SharedKey authorization that a transport error quotes", () => {
    const signature = "dGhpcy1pcy1hLXNoYXJlZC1rZXktc2lnbmF0dXJl=";
    const thrown = Object.assign(new Error(`request failed; authorization: SharedKey devstoreaccount1:${signature}`), {
      name: "RestError",
      code: "ECONNRESET",
    });
    const error = toEphError(classifyFailure(thrown), "replace", "leases");
    expect(error.code).toBe("StoreUnavailable");
    expect(exposed(error)).not.toContain(signature);
    expect(error.message).toContain("SharedKey <redacted>");
  });
});
