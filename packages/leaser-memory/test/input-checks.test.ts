import { EphError, type HostInfo } from "@eph/core";
import { describe, expect, it } from "vitest";
import { MemoryLeaser, MemoryLeaseStore } from "../src/index.js";

const scope = { fullyQualifiedNamespace: "ns.servicebus.windows.net", eventHubName: "hub", consumerGroup: "$Default" };
const info = (hostName: string): HostInfo => ({ hostName, ...scope });

async function codeOf(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
  } catch (error) {
    if (error instanceof EphError) return error.code;
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
  return "resolved";
}

describe("MemoryLeaser input checks (issue 13)", () => {
  it("refuses an undefined partitionId in every method with InvalidOption, and creates nothing", async () => {
    const store = new MemoryLeaseStore();
    const a = new MemoryLeaser({ store });
    a.setEventProcessorHost(info("host-a"));
    await a.ensureStore();
    const pid = undefined as unknown as string;
    for (const call of [
      () => a.ensureLease(pid),
      () => a.acquireLease(pid),
      () => a.renewLease(pid),
      () => a.updateLease(pid),
      () => a.releaseLease(pid),
      () => a.deleteLease(pid),
    ]) {
      expect(await codeOf(call)).toBe("InvalidOption");
    }
    expect(await a.getLeases()).toEqual([]);
    expect(store.size).toBe(0);
  });

  it("refuses setEventProcessorHost(undefined) with InvalidOption, not a TypeError", () => {
    const a = new MemoryLeaser();
    expect(() => a.setEventProcessorHost(undefined as unknown as HostInfo)).toThrow(
      expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("HostInfo") }),
    );
  });

  it("refuses interceptor: 42 when constructed, naming the option", () => {
    const options = { interceptor: 42 } as unknown as ConstructorParameters<typeof MemoryLeaser>[0];
    expect(() => new MemoryLeaser(options)).toThrow(
      expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("options.interceptor") }),
    );
  });

  it("refuses unknown options and a groupWrites that is not a boolean", () => {
    const misspelt = { intercepter: async () => undefined } as unknown as ConstructorParameters<typeof MemoryLeaser>[0];
    expect(() => new MemoryLeaser(misspelt)).toThrow(
      expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining('"intercepter"') }),
    );
    const text = { groupWrites: "false" } as unknown as ConstructorParameters<typeof MemoryLeaser>[0];
    expect(() => new MemoryLeaser(text)).toThrow(
      expect.objectContaining({ code: "InvalidOption", message: expect.stringContaining("options.groupWrites") }),
    );
  });

  it("with logger: console-like (warn and debug, no warning or verbose) skips a bad record instead of throwing a TypeError", async () => {
    const store = new MemoryLeaseStore();
    const lines: string[] = [];
    const consoleLike = {
      log() {},
      error() {},
      info() {},
      debug() {},
      warn: (...args: unknown[]) => lines.push(args.join(" ")),
    };
    const a = new MemoryLeaser({ store, logger: consoleLike as unknown as Console });
    a.setEventProcessorHost(info("host-a"));
    await a.ensureStore();
    await a.ensureLease("0");
    store.writeRaw(scope, "7", { format: "1", epoch: "many", owner: "" });
    expect((await a.getLeases()).map((lease) => lease.partitionId)).toEqual(["0"]);
    expect(lines.join("\n")).toContain('partition "7"');
  });
});
