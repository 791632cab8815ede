import type { EventProcessHostSetter, HostInfo } from "@eph/core";
import type { FixtureFactory, StoreFixture } from "./fixture.js";
import { defaultScope, hostInfo, type Scope } from "./host-info.js";

/** What every adapter instance offers the suite beyond its own interface. */
export interface Closable extends EventProcessHostSetter {
  /** Releases the instance's resources. */
  close(): Promise<void>;
}

/** One test's view of a fixture: configured instances that are all closed when the test ends. */
export interface Session<T extends Closable> {
  /** The adapter's fixture. */
  readonly fixture: StoreFixture<T>;
  /** A new instance configured as `hostName` on `scope` (default {@link defaultScope}). */
  host(hostName: string, scope?: Scope): T;
  /** `count` instances on `scope`, named `racer-0`, `racer-1`, … */
  hosts(count: number, scope?: Scope): T[];
  /** A new instance on which `setEventProcessorHost` was never called. */
  unconfigured(): T;
  /** The host info the suite gave `hostName` on `scope`. */
  info(hostName: string, scope?: Scope): HostInfo;
}

/**
 * Runs `body` against a fresh fixture, then closes every instance it made and tears the fixture down,
 * even when the body fails.
 */
export async function withSession<T extends Closable>(
  factory: FixtureFactory<T>,
  body: (session: Session<T>) => Promise<void>,
): Promise<void> {
  const fixture = await factory();
  const instances: T[] = [];
  const make = (): T => {
    const instance = fixture.create();
    instances.push(instance);
    return instance;
  };
  const session: Session<T> = {
    fixture,
    host(hostName, scope = defaultScope) {
      const instance = make();
      instance.setEventProcessorHost(hostInfo(hostName, scope));
      return instance;
    },
    hosts(count, scope = defaultScope) {
      return Array.from({ length: count }, (_, i) => session.host(`racer-${i}`, scope));
    },
    unconfigured: make,
    info: hostInfo,
  };
  try {
    await body(session);
  } finally {
    await Promise.allSettled(instances.map((instance) => instance.close()));
    await fixture.teardown();
  }
}
