import type { DeadLetter, DeadLetterSummary, StoredDeadLetter } from "./dead-letter.js";
import { EphError } from "./errors.js";
import { checkPartitionId, describeValue } from "./partition-id.js";
import { countField, formatProblem, recordFormat } from "./record-format.js";
import type { RecordFields, RecordScope } from "./record-store.js";
import { redactSecrets } from "./redact.js";
import { tagValue, untagValue } from "./tagged-value.js";

/** The longest error message a listing carries (the document keeps up to 4 096 characters). */
const SUMMARY_MESSAGE = 256;
const DOCUMENT_MESSAGE = 4096;

/** `<partition id>:<sequence number>`: the partition id may hold `:`, the sequence number cannot. */
export function deadLetterId(partitionId: string, sequenceNumber: number): string {
  return `${partitionId}:${sequenceNumber}`;
}

/** The partition and sequence number an id names; `InvalidOption` when it names none. */
export function parseDeadLetterId(id: unknown): { partitionId: string; sequenceNumber: number } {
  const text = typeof id === "string" ? id : "";
  const at = text.lastIndexOf(":");
  const sequenceNumber = countField(text.slice(at + 1));
  if (at <= 0 || sequenceNumber === undefined) {
    throw new EphError(
      "InvalidOption",
      `A dead letter id is "<partition id>:<sequence number>", e.g. "3:1042"; got ${describeValue(id)}.`,
    );
  }
  return { partitionId: text.slice(0, at), sequenceNumber };
}

function invalid(problem: string, partitionId?: string): EphError {
  return new EphError("InvalidOption", `The dead letter ${problem}.`, partitionId === undefined ? {} : { partitionId });
}

function validDate(value: unknown, name: string, partitionId: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw invalid(`has no valid ${name}`, partitionId);
  return value;
}

function plainObject(value: unknown, name: string, partitionId: string): Readonly<Record<string, unknown>> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid(`${name} must be an object, got ${describeValue(value)}`, partitionId);
  }
  return value as Record<string, unknown>;
}

/**
 * The stored form of `letter`, checked first (`InvalidOption` naming what is wrong, nothing written):
 * listable fields and a JSON document. The error message is stripped of secrets (keys, SAS tokens,
 * passwords) before it is stored anywhere.
 */
export function encodeDeadLetter(letter: DeadLetter, secrets: readonly string[] = []): StoredDeadLetter {
  if (typeof letter !== "object" || letter === null) throw invalid(`must be an object, got ${describeValue(letter)}`);
  checkPartitionId(letter.partitionId);
  const p = letter.partitionId;
  if (!Number.isSafeInteger(letter.sequenceNumber) || letter.sequenceNumber < 0) {
    throw invalid(`sequenceNumber must be a non-negative integer, got ${describeValue(letter.sequenceNumber)}`, p);
  }
  if (typeof letter.offset !== "string" || letter.offset === "") throw invalid("offset must be a non-empty string", p);
  const enqueued = validDate(letter.enqueuedTime, "enqueuedTime", p);
  const at = validDate(letter.deadLetteredAt, "deadLetteredAt", p);
  if (letter.partitionKey !== undefined && typeof letter.partitionKey !== "string") {
    throw invalid("partitionKey must be a string when given", p);
  }
  if (typeof letter.hostName !== "string" || letter.hostName === "")
    throw invalid("hostName must be a non-empty string", p);
  const error = plainObject(letter.error, "error", p);
  const errorName = typeof error.name === "string" && error.name !== "" ? error.name : "Error";
  const message = redactSecrets(typeof error.message === "string" ? error.message : String(error.message), secrets);
  let values: unknown[];
  try {
    values = [
      tagValue(letter.body, "body"),
      tagValue(plainObject(letter.properties, "properties", p), "properties"),
      tagValue(plainObject(letter.systemProperties, "systemProperties", p), "systemProperties"),
    ];
  } catch (problem) {
    throw invalid(`cannot be stored: ${(problem as Error).message}`, p);
  }
  const document = JSON.stringify({
    format: recordFormat,
    partitionId: p,
    sequenceNumber: letter.sequenceNumber,
    offset: letter.offset,
    enqueuedTime: enqueued.toISOString(),
    ...(letter.partitionKey === undefined ? {} : { partitionKey: letter.partitionKey }),
    body: values[0],
    properties: values[1],
    systemProperties: values[2],
    error: { name: errorName, message: message.slice(0, DOCUMENT_MESSAGE) },
    hostName: letter.hostName,
    deadLetteredAt: at.toISOString(),
  });
  const fields: RecordFields = {
    format: String(recordFormat),
    partition: p,
    sequence: String(letter.sequenceNumber),
    offset: letter.offset,
    enqueued: enqueued.toISOString(),
    errorname: errorName,
    errormessage: message.slice(0, SUMMARY_MESSAGE),
    host: letter.hostName,
    at: at.toISOString(),
  };
  return { fields, document };
}

function corrupt(scope: RecordScope, what: string, problem: string): EphError {
  return new EphError(
    "CorruptRecord",
    `The dead letter ${what} of event hub "${scope.eventHubName}", consumer group "${scope.consumerGroup}", namespace "${scope.fullyQualifiedNamespace}" is corrupt: ${problem}.`,
  );
}

function storedDate(text: unknown): Date | undefined {
  if (typeof text !== "string") return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** A listing's view of stored fields; `CorruptRecord` naming the dead letter when they are not one. */
export function decodeDeadLetterSummary(scope: RecordScope, fields: RecordFields): DeadLetterSummary {
  const what = fields.partition === undefined ? "(no partition)" : `"${fields.partition}:${fields.sequence ?? "?"}"`;
  const problem = formatProblem(fields);
  if (problem !== undefined) throw corrupt(scope, what, problem);
  const sequenceNumber = countField(fields.sequence);
  const [enqueuedTime, deadLetteredAt] = [storedDate(fields.enqueued), storedDate(fields.at)];
  const { partition, offset, errorname, errormessage, host } = fields;
  if (
    partition === undefined ||
    partition === "" ||
    sequenceNumber === undefined ||
    !offset ||
    enqueuedTime === undefined ||
    deadLetteredAt === undefined ||
    errorname === undefined ||
    errormessage === undefined ||
    host === undefined
  ) {
    throw corrupt(scope, what, "a field is missing or malformed");
  }
  return {
    id: deadLetterId(partition, sequenceNumber),
    partitionId: partition,
    sequenceNumber,
    offset,
    enqueuedTime,
    errorName: errorname,
    errorMessage: errormessage,
    hostName: host,
    deadLetteredAt,
  };
}

/** The dead letter a stored document holds; `CorruptRecord` naming it when it holds none. */
export function decodeDeadLetter(scope: RecordScope, id: string, document: string): DeadLetter {
  const what = `"${id}"`;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(document) as Record<string, unknown>;
  } catch {
    throw corrupt(scope, what, "its document is not JSON");
  }
  if (typeof parsed !== "object" || parsed === null) throw corrupt(scope, what, "its document is not an object");
  const format = parsed.format;
  if (typeof format !== "number" || !Number.isInteger(format) || format < 1) {
    throw corrupt(scope, what, "its document has no format version");
  }
  if (format > recordFormat) {
    throw corrupt(
      scope,
      what,
      `it is in format ${format}, newer than the format ${recordFormat} this eph reads (upgrade eph)`,
    );
  }
  const error = parsed.error as { name?: unknown; message?: unknown } | undefined;
  const [enqueuedTime, deadLetteredAt] = [storedDate(parsed.enqueuedTime), storedDate(parsed.deadLetteredAt)];
  const { partitionId, sequenceNumber, offset, partitionKey, hostName } = parsed;
  if (
    typeof partitionId !== "string" ||
    typeof sequenceNumber !== "number" ||
    typeof offset !== "string" ||
    enqueuedTime === undefined ||
    deadLetteredAt === undefined ||
    typeof hostName !== "string" ||
    typeof error?.name !== "string" ||
    typeof error.message !== "string" ||
    (partitionKey !== undefined && typeof partitionKey !== "string")
  ) {
    throw corrupt(scope, what, "a field is missing or malformed");
  }
  try {
    return {
      partitionId,
      sequenceNumber,
      offset,
      enqueuedTime,
      ...(partitionKey === undefined ? {} : { partitionKey }),
      body: untagValue(parsed.body, "body"),
      properties: untagValue(parsed.properties, "properties") as Record<string, unknown>,
      systemProperties: untagValue(parsed.systemProperties, "systemProperties") as Record<string, unknown>,
      error: { name: error.name, message: error.message },
      hostName,
      deadLetteredAt,
    };
  } catch (problem) {
    throw corrupt(scope, what, (problem as Error).message.replace(/\.$/, ""));
  }
}
