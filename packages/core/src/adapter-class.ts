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

/** What core takes from an adapter's role besides the logger and the name: the store, and settings. */
export type AdapterSettings = Omit<RecordLeaserOptions & RecordCheckpointerOptions, "logger" | "name">;

/**
 * The part a Leaser or a Checkpointer plays over one store's client (a `ContainerClient`, a `pg.Pool`):
 * what its options bag may hold, and what core makes of it. One per adapter class; the store package
 * builds every role with {@link roleOptions}.
 */
export interface AdapterRole<Client, O> extends AdapterSpec {
  /** Core's settings, the store over `client` first of all, from the checked options. */
  configure(client: Client, options: O & { readonly logger: Logger }): AdapterSettings;
}

/**
 * The `build` of {@link leaserClass} and {@link checkpointerClass} for `role`: the options bag checked
 * once (see {@link adapterOptions}), core's options from `role.configure`, the role's name in messages.
 */
export function roleOptions<Client, O extends AdapterLogging>(
  role: AdapterRole<Client, O>,
): (client: Client, options?: O) => RecordLeaserOptions & RecordCheckpointerOptions {
  return (client, options) => {
    const o = adapterOptions(role, options);
    return { ...role.configure(client, o), logger: o.logger, name: role.name };
  };
}

/**
 * The options bag of an adapter's `fromConnectionString`, checked once: the role's names and the
 * connection's `names` (`clientOptions`, `poolOptions`…) are known. Returns the connection's options, to
 * build the client with, and the rest, for the constructor.
 */
export function connectionOptions<O extends AdapterLogging, K extends object>(
  role: AdapterSpec,
  options: (O & K) | undefined,
  names: readonly (keyof K & string)[],
): [connection: K, rest: O & { readonly logger: Logger }] {
  // The logger is checked here too: a malformed one must fail before a client (a pool) is made.
  const rest = { ...adapterOptions(role, options, names) } as Record<string, unknown>;
  const connection: Record<string, unknown> = {};
  for (const name of names) {
    connection[name] = rest[name];
    delete rest[name];
  }
  return [connection as K, rest as unknown as O & { readonly logger: Logger }];
}

/**
 * The `build` and `connect` of an adapter over one named resource of an account (a blob container, a
 * table): its constructor takes `(client, options?)`, its `fromConnectionString` takes
 * `(connectionString, name, options?)`, where `options` may also hold the connection's `names`, which
 * go to `open` to make the client. Spread the pair into {@link leaserClass} or {@link checkpointerClass}.
 */
export function resourceAdapter<Client, O extends AdapterLogging, K extends object>(
  role: AdapterRole<Client, O>,
  names: readonly (keyof K & string)[],
  open: (connectionString: string, name: string, connection: K) => Client,
): [
  (client: Client, options?: O) => RecordLeaserOptions & RecordCheckpointerOptions,
  Connect<[client: Client, options?: O], [connectionString: string, name: string, options?: O & K]>,
] {
  const connect = (connectionString: string, name: string, options?: O & K): [Client, O] => {
    const [connection, rest] = connectionOptions<O, K>(role, options, names);
    return [open(connectionString, name, connection), rest];
  };
  return [roleOptions(role), connect];
}
