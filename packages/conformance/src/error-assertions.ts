import assert from "node:assert/strict";
import { inspect } from "node:util";
import type { EphErrorCode } from "@eph/core";

/** The shape of an `EphError`, checked structurally so that two copies of @eph/core still match. */
export interface CodedError extends Error {
  readonly code: string;
}

function isCodedError(error: unknown): error is CodedError {
  return error instanceof Error && typeof (error as { code?: unknown }).code === "string";
}

/**
 * Awaits `promise`, which must reject with an EphError whose code is `code` (or one of `code`), and
 * returns the error. `what` names the call in the failure message.
 */
export async function expectEphError(
  promise: Promise<unknown>,
  code: EphErrorCode | readonly EphErrorCode[],
  what: string,
): Promise<CodedError> {
  const codes: readonly string[] = typeof code === "string" ? [code] : code;
  let settled: { ok: true; value: unknown } | { ok: false; error: unknown };
  try {
    settled = { ok: true, value: await promise };
  } catch (error) {
    settled = { ok: false, error };
  }
  if (settled.ok) {
    assert.fail(
      `${what}: expected a rejection with code ${codes.join(" or ")}, but it resolved with ${inspect(settled.value)}`,
    );
  }
  const { error } = settled;
  if (!isCodedError(error)) {
    assert.fail(`${what}: expected an EphError with code ${codes.join(" or ")}, got ${inspect(error)}`);
  }
  assert.ok(
    codes.includes(error.code),
    `${what}: expected code ${codes.join(" or ")}, got ${error.code} (message: ${error.message})`,
  );
  assert.ok(error.message.length > 0, `${what}: the error has a message`);
  return error;
}

/** Everything a user might see of a value or error: message, stack, causes and enumerable properties. */
function exposedText(value: unknown): string {
  if (value instanceof Error) {
    return `${value.message}\n${value.stack ?? ""}\n${inspect(value, { depth: 6, showHidden: false })}`;
  }
  return inspect(value, { depth: 6 });
}

/** Fails when any of `secrets` appears in what `values` expose (including `util.inspect` of objects). */
export function expectNoSecrets(
  secrets: readonly string[] | undefined,
  values: readonly unknown[],
  what: string,
): void {
  if (!secrets || secrets.length === 0) return;
  for (const value of values) {
    const text = exposedText(value);
    for (const secret of secrets) {
      if (secret.length > 0 && text.includes(secret)) {
        assert.fail(`${what}: a secret of the fixture appears in ${value instanceof Error ? "an error" : "a result"}`);
      }
    }
  }
}
