import { AmqpFailure, Condition } from "./amqp-error.js";
import { parseSelector, type StartPosition } from "./event-position.js";
import type { RemoteAttach } from "./rhea-internals.js";

const SELECTOR_FILTER_NAME = "apache.org:selector-filter:string";
const SELECTOR_FILTER_CODE = 0x468c00000004;
const EPOCH_PROPERTY = "com.microsoft:epoch";
const RECEIVER_NAME_PROPERTY = "com.microsoft:receiver-name";
const RUNTIME_METRIC_CAPABILITY = "com.microsoft:enable-receiver-runtime-metric";

/** What a receiver asks for when it attaches to a partition. */
export interface ReaderRequest {
  position: StartPosition;
  epoch: number | undefined;
  receiverName: string | undefined;
  runtimeMetrics: boolean;
}

interface DescribedValue {
  descriptor?: { value?: unknown };
  value?: unknown;
}

function selectorText(name: string, filter: unknown): string {
  if (typeof filter === "string") {
    if (name === SELECTOR_FILTER_NAME) return filter;
  } else if (filter !== null && typeof filter === "object") {
    const described = filter as DescribedValue;
    const descriptor = described.descriptor?.value;
    if (
      (descriptor === SELECTOR_FILTER_CODE || descriptor === SELECTOR_FILTER_NAME) &&
      typeof described.value === "string"
    ) {
      return described.value;
    }
  }
  throw new AmqpFailure(
    Condition.notAllowed,
    `The link contains an invalid filter type under '${name}'. Only the Apache selector filter type is supported.`,
  );
}

/** Reads start position, epoch, receiver name and wanted capabilities from a receiver's attach. */
export function readerRequest(remote: RemoteAttach): ReaderRequest {
  const filters = remote.source?.filter ?? undefined;
  let position: StartPosition = { kind: "start" };
  if (filters) {
    const names = Object.keys(filters);
    if (names.length > 1) {
      throw new AmqpFailure(
        Condition.notAllowed,
        `The link has ${names.length} filters; only one selector is supported.`,
      );
    }
    const name = names[0];
    if (name !== undefined) position = parseSelector(selectorText(name, filters[name]));
  }
  const properties = remote.properties ?? {};
  const rawEpoch = properties[EPOCH_PROPERTY];
  let epoch: number | undefined;
  if (rawEpoch !== undefined && rawEpoch !== null) {
    if (typeof rawEpoch !== "number" || !Number.isSafeInteger(rawEpoch) || rawEpoch < 0) {
      throw new AmqpFailure(Condition.argumentError, `The epoch '${String(rawEpoch)}' is not a valid owner level.`);
    }
    epoch = rawEpoch;
  }
  const name = properties[RECEIVER_NAME_PROPERTY];
  const desired = remote.desired_capabilities;
  const capabilities = Array.isArray(desired) ? desired : desired ? [desired] : [];
  return {
    position,
    epoch,
    receiverName: typeof name === "string" ? name : undefined,
    runtimeMetrics: capabilities.includes(RUNTIME_METRIC_CAPABILITY),
  };
}
