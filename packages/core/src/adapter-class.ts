import { checkedLogger } from "./checked-logger.js";
import type { Logger } from "./logger.js";
import { checkOptions } from "./option-check.js";
import { RecordCheckpointer, type RecordCheckpointerOptions } from "./record-checkpointer.js";
import { RecordLeaser, type RecordLeaserOptions } from "./record-leaser.js";

/** The class of a store adapter: core's Leaser or Checkpointer, constructed from the adapter's own arguments. */
export type AdapterClass<T, A extends unknown[]> = new (...args: A) => T;

/** An adapter class that can also be made from a connection string. */
export interface ConnectableAdapterClass<T, A extends unknown[], C extends unknown[]> extends AdapterClass<T, A> {
  /**
   * Creates an instance from a connection string (the adapter's own form; see its README), on a client
   * of its own that `close()` releases. The connection string never appears in errors.
   */
  fromConnectionString<S>(this: new (...args: A) => S, ...args: C): S;
}

/** Turns `fromConnectionString`'s arguments into the constructor's. */
export type Connect<A extends unknown[], C extends unknown[]> = (...args: C) => A;

/**
 * A {@link RecordLeaser} class whose constructor takes an adapter's arguments (a client, a pool, an
 * options bag) and turns them into core's options with `build`; with `connect`, also a static
 * `fromConnectionString`. An adapter extends it and adds only what is its own (a property naming its
 * table): `class PostgresLeaser extends leaserClass(...pgAdapter(pgLeaser)) {}`.
 */
export function leaserClass<A extends unknown[]>(
  build: (...args: A) => RecordLeaserOptions,
): AdapterClass<RecordLeaser, A>;
export function leaserClass<A extends unknown[], C extends unknown[]>(
  build: (...args: A) => RecordLeaserOptions,
  connect: Connect<A, C>,
): ConnectableAdapterClass<RecordLeaser, A, C>;
export function leaserClass<A extends unknown[], C extends unknown[]>(
  build: (...args: A) => RecordLeaserOptions,
  connect?: Connect<A, C>,
) {
  return derive(RecordLeaser, build, connect);
}

/** As {@link leaserClass}, for a {@link RecordCheckpointer}. */
export function checkpointerClass<A extends unknown[]>(
  build: (...args: A) => RecordCheckpointerOptions,
): AdapterClass<RecordCheckpointer, A>;
export function checkpointerClass<A extends unknown[], C extends unknown[]>(
  build: (...args: A) => RecordCheckpointerOptions,
  connect: Connect<A, C>,
): ConnectableAdapterClass<RecordCheckpointer, A, C>;
export function checkpointerClass<A extends unknown[], C extends unknown[]>(
  build: (...args: A) => RecordCheckpointerOptions,
  connect?: Connect<A, C>,
) {
  return derive(RecordCheckpointer, build, connect);
}

// One class per adapter: its constructor hands core what `build` makes of the adapter's arguments.
function derive<O, A extends unknown[], C extends unknown[]>(
  base: new (options: O) => object,
  build: (...args: A) => O,
  connect: Connect<A, C> | undefined,
) {
  class Adapter extends base {
    constructor(...args: A) {
      super(build(...args));
    }
  }
  if (connect === undefined) return Adapter;
  return class extends Adapter {
    static fromConnectionString<S>(this: new (...args: A) => S, ...args: C): S {
      return new this(...connect(...args));
    }
  };
}

/** What an adapter's constructor checks of its options bag. */
export interface AdapterSpec {
  /** The class name, in messages: `PostgresLeaser`. */
  readonly name: string;
  /** The names the bag may hold besides `logger`. */
  readonly options: readonly string[];
  /** The logger when the bag names none (an `@azure/logger` client logger); default silent. */
  readonly logger?: (() => Logger) | undefined;
}

/** The option every adapter takes. */
export interface AdapterLogging {
  /** Where recovered problems are reported (`@azure/logger`'s shape; `console` works). */
  logger?: Logger | Console | undefined;
}

/**
 * An adapter's options bag, checked once: `InvalidOption` for a bag that is not an object, an unknown
 * name (`also` adds names, such as `fromConnectionString`'s client options) or a malformed logger; the
 * logger resolved to a checked one (the spec's default when none is given).
 */
export function adapterOptions<O extends AdapterLogging>(
  spec: AdapterSpec,
  options: O | undefined,
  also: readonly string[] = [],
): O & { readonly logger: Logger } {
  const known = ["logger", ...spec.options, ...also];
  const o = checkOptions(options as Record<string, unknown> | undefined, known, spec.name) as O;
  return { ...o, logger: checkedLogger(o.logger ?? spec.logger?.(), "options.logger") };
}
