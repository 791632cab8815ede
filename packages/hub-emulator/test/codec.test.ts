import rhea from "rhea";
import { describe, expect, it } from "vitest";
import { AmqpDecodeError, readSections, SectionCode, valueEnd } from "../src/amqp-encoding.js";
import { AmqpFailure } from "../src/amqp-error.js";
import { decodeBatchEnvelope } from "../src/batch-envelope.js";
import { encodeRuntimeMetrics, parseEvent, stampedSize, writeStampedEvent } from "../src/event-encoding.js";
import { parseSelector } from "../src/event-position.js";
import { partitionForKey } from "../src/partition-key.js";

describe("selector filters", () => {
  it.each([
    ["amqp.annotation.x-opt-offset > '-1'", { kind: "start" }],
    ["amqp.annotation.x-opt-offset > '@latest'", { kind: "latest" }],
    ["amqp.annotation.x-opt-offset >= '1234'", { kind: "offset", offset: 1234, inclusive: true }],
    ["amqp.annotation.x-opt-offset > '1234'", { kind: "offset", offset: 1234, inclusive: false }],
    ["amqp.annotation.x-opt-sequence-number >= '0'", { kind: "sequenceNumber", sequenceNumber: 0, inclusive: true }],
    ["amqp.annotation.x-opt-sequence-number > '-1'", { kind: "sequenceNumber", sequenceNumber: -1, inclusive: false }],
    [
      "amqp.annotation.x-opt-enqueued-time > '1700000000000'",
      { kind: "enqueuedTime", timeMs: 1.7e12, inclusive: false },
    ],
    ["  AMQP.ANNOTATION.X-OPT-OFFSET>'5'  ", { kind: "offset", offset: 5, inclusive: false }],
  ])("parses %s", (expression, position) => {
    expect(parseSelector(expression)).toEqual(position);
  });

  it.each([
    "amqp.annotation.x-opt-offset = '5'",
    "amqp.annotation.x-opt-offset > 5",
    "amqp.annotation.x-opt-offset > 'abc'",
    "amqp.annotation.x-opt-offset > '-7'",
    "amqp.annotation.x-opt-sequence-number >= '-1'",
    "amqp.annotation.x-opt-partition-key > 'a'",
    "",
  ])("refuses %j with an argument error naming the expression", (expression) => {
    const error = (() => {
      try {
        parseSelector(expression);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(AmqpFailure);
    expect((error as AmqpFailure).condition).toBe("com.microsoft:argument-error");
    expect((error as AmqpFailure).message).toContain(JSON.stringify(expression));
  });
});

describe("partition keys", () => {
  it("map to the same partition every time, spread over all partitions", () => {
    expect(partitionForKey("device-17", 4)).toBe(partitionForKey("device-17", 4));
    const hits = new Set(Array.from({ length: 200 }, (_, i) => partitionForKey(`key-${i}`, 8)));
    expect([...hits].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("are hashed by a fixed function (FNV-1a), not by anything process-specific", () => {
    expect(partitionForKey("", 1000)).toBe(2166136261 % 1000);
    expect(partitionForKey("a", 1_000_000)).toBe(0xe40c292c % 1_000_000);
  });
});

describe("AMQP encoding by hand", () => {
  const message = rhea.message.encode({
    durable: true,
    message_annotations: { "x-opt-partition-key": "pk", "x-custom": 7, "x-opt-sequence-number": 999 },
    message_id: "id-1",
    application_properties: { a: "b", n: 3 },
    body: rhea.message.data_section(Buffer.from("payload")),
  });

  it("finds the sections of an encoded message", () => {
    expect(readSections(message).map((s) => s.code)).toEqual([
      SectionCode.header,
      SectionCode.messageAnnotations,
      SectionCode.properties,
      SectionCode.applicationProperties,
      SectionCode.data,
    ]);
  });

  it("stamps service annotations, replacing forged ones and keeping the producer's own", () => {
    const parsed = parseEvent(message);
    expect(parsed.partitionKey).toBe("pk");
    const stamp = { sequenceNumber: 2 ** 40, offset: 123456, enqueuedTimeMs: 1_700_000_000_123, partitionKey: "pk" };
    const out = Buffer.alloc(stampedSize(parsed, stamp));
    expect(writeStampedEvent(out, 0, parsed, stamp)).toBe(out.length);
    const decoded = rhea.message.decode(out);
    expect(decoded.durable).toBe(true);
    expect(decoded.message_annotations).toEqual({
      "x-opt-sequence-number": 2 ** 40,
      "x-opt-offset": "123456",
      "x-opt-enqueued-time": new Date(1_700_000_000_123),
      "x-opt-partition-key": "pk",
      "x-custom": 7,
    });
    expect(decoded.message_id).toBe("id-1");
    expect(decoded.application_properties).toEqual({ a: "b", n: 3 });
  });

  it("adds the envelope's partition key to events that lack it", () => {
    const plain = parseEvent(rhea.message.encode({ body: "x" }));
    const stamp = { sequenceNumber: 0, offset: 0, enqueuedTimeMs: 1, partitionKey: "from-envelope" };
    const out = Buffer.alloc(stampedSize(plain, stamp));
    writeStampedEvent(out, 0, plain, stamp);
    expect(rhea.message.decode(out).message_annotations?.["x-opt-partition-key"]).toBe("from-envelope");
  });

  it("encodes receiver runtime metrics as delivery annotations", () => {
    const section = encodeRuntimeMetrics({ sequenceNumber: 41, offset: 9000, enqueuedTimeMs: 5, retrievalTimeMs: 6 });
    const decoded = rhea.message.decode(Buffer.concat([section, rhea.message.encode({ body: "x" })]));
    expect(decoded.delivery_annotations).toEqual({
      last_enqueued_sequence_number: 41,
      last_enqueued_offset: "9000",
      last_enqueued_time_utc: new Date(5),
      runtime_info_retrieval_time_utc: new Date(6),
    });
  });

  it("opens batch envelopes and rejects truncated or foreign bytes", () => {
    const envelope = rhea.message.encode({
      message_annotations: { "x-opt-partition-key": "k" },
      body: rhea.message.data_sections([Buffer.from(message), rhea.message.encode({ body: "second" })]),
    });
    const batch = decodeBatchEnvelope(envelope);
    expect(batch.partitionKey).toBe("k");
    expect(batch.events).toHaveLength(2);
    expect(rhea.message.decode(batch.events[1]!).body).toBe("second");
    expect(() => decodeBatchEnvelope(envelope.subarray(0, envelope.length - 3))).toThrow(AmqpDecodeError);
    expect(() => decodeBatchEnvelope(rhea.message.encode({ body: "no data sections" }))).toThrow(AmqpDecodeError);
    expect(() => valueEnd(Buffer.from([0x01]), 0)).toThrow(AmqpDecodeError);
  });
});
