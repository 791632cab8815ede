import { EphError, type RecordFields } from "@eph/core";

// Metadata travel in HTTP headers: printable ASCII, and surrounding spaces would be trimmed. A value of
// that kind without `%` is stored as it is, so that numbers and offsets stay readable by KEDA and the
// official checkpoint store; any other is percent-encoded (it then always holds a `%`), except the empty
// value, which the service does not keep reliably and is stored as a lone `%` (never an encoding).
const PLAIN = /^[\x21-\x24\x26-\x7e](?:[\x20-\x24\x26-\x7e]*[\x21-\x24\x26-\x7e])?$/;
const EMPTY = "%";

// Field names core writes are lower-case letters and digits: valid metadata names, as headers return them.
const NAME = /^[a-z][a-z0-9]*$/;

/** True when `value` is stored in metadata as it is (other readers, such as KEDA, then read it unchanged). */
export function storedAsIs(value: string): boolean {
  return PLAIN.test(value);
}

/** The blob metadata holding `fields`; `InvalidOption` for a name or value metadata cannot hold. */
export function encodeMetadata(fields: RecordFields, id: string): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    const bad = (what: string) =>
      new EphError("InvalidOption", `A blob record cannot hold ${what}.`, { partitionId: id });
    if (!NAME.test(name)) throw bad(`a field named ${JSON.stringify(name)}`);
    try {
      metadata[name] = value === "" ? EMPTY : storedAsIs(value) ? value : encodeURIComponent(value);
    } catch {
      throw bad(`the value of field "${name}": it holds a lone surrogate`);
    }
  }
  return metadata;
}

/** The fields blob metadata hold, or why they hold none (a value that is not an encoding). */
export function decodeMetadata(metadata: Record<string, string> | undefined): RecordFields | string {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata ?? {})) {
    try {
      fields[name.toLowerCase()] = value === EMPTY ? "" : value.includes("%") ? decodeURIComponent(value) : value;
    } catch {
      return `its metadata "${name}" is not percent-encoded`;
    }
  }
  return fields;
}
