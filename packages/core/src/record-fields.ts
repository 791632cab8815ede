import type { RecordFields } from "./record-store.js";

/**
 * A frozen copy of `value` when it can be a record's fields (a plain object whose values are all
 * strings), else `undefined`. Stores run what they read back through it: a row, an entity or a parsed
 * JSON text that holds anything else is a corrupt record, never fields core would misread.
 */
export function asRecordFields(value: unknown): RecordFields | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  return Object.values(value).every((field) => typeof field === "string") ? Object.freeze({ ...value }) : undefined;
}
