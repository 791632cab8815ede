import { describe, expect, it } from "vitest";
import type { BatchOutcome, RecordStore, ReplaceRequest, WriteOutcome } from "../src/index.js";
import { WriteBatcher } from "../src/write-batcher.js";

const scope = { fullyQualifiedNamespace: "ns.servicebus.windows.net", eventHubName: "hub", consumerGroup: "$Default" };
const request = (id: string): ReplaceRequest => ({ scope, kind: "lease", id, fields: {}, expectedVersion: "v1" });

/** A store whose batches are all-or-nothing, as Table entity group transactions are; `stale` ids conflict. */
function batchStore(stale: Set<string>, hang?: (signal: AbortSignal | undefined) => Promise<never>) {
  const calls: string[] = [];
  const replace = async (key: { id: string }): Promise<WriteOutcome> => {
    calls.push(`replace ${key.id}`);
    return stale.has(key.id) ? { status: "conflict" } : { status: "written", version: "v2" };
  };
  const replaceMany = async (requests: readonly ReplaceRequest[], options?: { abortSignal?: AbortSignal }) => {
    calls.push(`replaceMany ${requests.map((r) => r.id).join(",")}`);
    if (hang) await hang(options?.abortSignal);
    const failed = requests.findIndex((r) => stale.has(r.id));
    return requests.map((_, i): BatchOutcome => {
      if (failed < 0) return { status: "written", version: "v2" };
      return { status: i === failed ? "conflict" : "skipped" };
    });
  };
  return { calls, store: { replace, replaceMany } as unknown as RecordStore };
}

describe("WriteBatcher", () => {
  it("batches the members a failed batch skipped again, twice at most, then sends the rest alone", async () => {
    const { calls, store } = batchStore(new Set(["1", "3", "4", "6"]));
    const batcher = new WriteBatcher(store);
    const ids = ["0", "1", "2", "3", "4", "5", "6", "7"];
    const outcomes = await Promise.all(ids.map((id) => batcher.replace(request(id))));
    expect(outcomes.map((o) => o.status)).toEqual(
      ids.map((id) => (["1", "3", "4", "6"].includes(id) ? "conflict" : "written")),
    );
    expect(calls).toEqual([
      "replaceMany 0,1,2,3,4,5,6,7",
      "replaceMany 0,2,3,4,5,6,7",
      "replace 0",
      "replace 2",
      "replace 4",
      "replace 5",
      "replace 6",
      "replace 7",
    ]);
  });

  it("answers each caller Aborted when its own signal fires, and abandons the batch only when all gave up", async () => {
    let batchSignal: AbortSignal | undefined;
    const { store } = batchStore(new Set(), (signal) => {
      batchSignal = signal;
      return new Promise((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason)));
    });
    const batcher = new WriteBatcher(store);
    const controllers = [new AbortController(), new AbortController()];
    const results = controllers.map((c, i) =>
      batcher.replace(request(String(i)), { abortSignal: c.signal }).catch((e: { code?: string }) => e.code),
    );
    await new Promise((resolve) => setImmediate(resolve));
    controllers[0]?.abort();
    expect(await results[0]).toBe("Aborted");
    expect(batchSignal?.aborted).toBe(false); // the other caller still waits for its write
    controllers[1]?.abort();
    expect(await results[1]).toBe("Aborted");
    expect(batchSignal?.aborted).toBe(true);
  });
});
