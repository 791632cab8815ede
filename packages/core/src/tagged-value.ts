/**
 * A JSON form of the values an event carries (its body, application and system properties) that reads
 * back as the same types: JSON alone would turn a `Date` into a string, bytes into an object of
 * numbers, and lose `bigint` and `undefined`. Every value becomes a tagged pair, so no user value can be
 * mistaken for a tag (an object with a `$date` key stays an object). Numbers that JSON cannot hold
 * (`NaN`, `Infinity`, `-0`) keep their own tag.
 */
export type TaggedValue =
  | readonly ["s", string]
  | readonly ["n", number]
  | readonly ["f", "NaN" | "Infinity" | "-Infinity" | "-0"]
  | readonly ["b", boolean]
  | readonly ["z"]
  | readonly ["u"]
  | readonly ["i", string]
  | readonly ["d", string]
  | readonly ["x", string]
  | readonly ["a", readonly TaggedValue[]]
  | readonly ["o", readonly (readonly [string, TaggedValue])[]];

/** The most nesting a value may have: a cycle or a runaway structure is refused, not followed forever. */
const MAX_DEPTH = 64;

/**
 * The tagged form of `value`. Functions and symbols cannot be stored: they throw a `TypeError` naming
 * `where`, as do cycles and values nested deeper than 64 levels. Other objects (class instances
 * included) are stored as their own enumerable properties.
 */
export function tagValue(value: unknown, where: string, depth = 0): TaggedValue {
  if (depth > MAX_DEPTH) throw new TypeError(`${where} is nested deeper than ${MAX_DEPTH} levels (or holds a cycle).`);
  switch (typeof value) {
    case "string":
      return ["s", value];
    case "boolean":
      return ["b", value];
    case "bigint":
      return ["i", value.toString()];
    case "undefined":
      return ["u"];
    case "number":
      if (Number.isNaN(value)) return ["f", "NaN"];
      if (value === Number.POSITIVE_INFINITY) return ["f", "Infinity"];
      if (value === Number.NEGATIVE_INFINITY) return ["f", "-Infinity"];
      return Object.is(value, -0) ? ["f", "-0"] : ["n", value];
    case "function":
    case "symbol":
      throw new TypeError(`${where} holds a ${typeof value}, which cannot be stored.`);
  }
  if (value === null) return ["z"];
  if (value instanceof Date) return ["d", Number.isNaN(value.getTime()) ? "invalid" : value.toISOString()];
  if (value instanceof Uint8Array)
    return ["x", Buffer.from(value.buffer, value.byteOffset, value.length).toString("base64")];
  if (value instanceof ArrayBuffer) return ["x", Buffer.from(value).toString("base64")];
  if (Array.isArray(value)) return ["a", value.map((item, i) => tagValue(item, `${where}[${i}]`, depth + 1))];
  return [
    "o",
    Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => [k, tagValue(v, `${where}.${k}`, depth + 1)] as const,
    ),
  ];
}

/** The value a {@link tagValue} result stands for; `TypeError` naming `where` when it is not one. */
export function untagValue(tagged: unknown, where: string, depth = 0): unknown {
  if (!Array.isArray(tagged) || depth > MAX_DEPTH) throw new TypeError(`${where} is not a stored value.`);
  const [tag, payload] = tagged as [unknown, unknown];
  switch (tag) {
    case "s":
      if (typeof payload === "string") return payload;
      break;
    case "n":
      if (typeof payload === "number") return payload;
      break;
    case "f":
      if (payload === "-0") return -0;
      if (payload === "NaN" || payload === "Infinity" || payload === "-Infinity") return Number(payload);
      break;
    case "b":
      if (typeof payload === "boolean") return payload;
      break;
    case "z":
      return null;
    case "u":
      return undefined;
    case "i":
      if (typeof payload === "string" && /^-?\d+$/.test(payload)) return BigInt(payload);
      break;
    case "d":
      if (typeof payload === "string") return new Date(payload === "invalid" ? Number.NaN : payload);
      break;
    case "x":
      if (typeof payload === "string") return Buffer.from(payload, "base64");
      break;
    case "a":
      if (Array.isArray(payload)) return payload.map((item, i) => untagValue(item, `${where}[${i}]`, depth + 1));
      break;
    case "o":
      if (Array.isArray(payload)) {
        const out: Record<string, unknown> = {};
        for (const entry of payload) {
          if (!Array.isArray(entry) || typeof entry[0] !== "string")
            throw new TypeError(`${where} is not a stored value.`);
          // defineProperty: a stored "__proto__" key is a property like any other, never the prototype.
          Object.defineProperty(out, entry[0], {
            value: untagValue(entry[1], `${where}.${entry[0]}`, depth + 1),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        return out;
      }
      break;
  }
  throw new TypeError(`${where} is not a stored value.`);
}
