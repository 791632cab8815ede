import type { Checkpointer } from "@eph/core";
import { expect } from "../expect.js";
import { neighbourScopes } from "../host-info.js";
import type { SuiteContext } from "../suite-context.js";
import { plain, position } from "./helpers.js";

/** deleteCheckpoint and scopes. */
export function recordTests({ test, describe }: SuiteContext<Checkpointer>): void {
  describe("deleteCheckpoint", () => {
    test("deletes the record and is idempotent", async (s) => {
      const c = s.host("host-a");
      await c.ensureStore();
      await c.ensureCheckpoint("0", { epoch: 1 });
      await c.updateCheckpoint("0", position(4), { epoch: 1 });
      await c.ensureCheckpoint("1", { epoch: 1 });
      await c.updateCheckpoint("1", position(8), { epoch: 1 });
      await c.deleteCheckpoint("0");
      expect(await s.host("host-b").getCheckpoint("0")).toBeUndefined();
      expect(plain(await s.host("host-b").getCheckpoint("1")), "other partitions stay").toEqual(plain(position(8)));
      await c.deleteCheckpoint("0");
      await c.deleteCheckpoint("9");
      expect(await c.ensureCheckpoint("0", { epoch: 1 }), "ensure recreates it empty").toBeUndefined();
    });

    test("after another host deletes a checkpoint, a writer starts afresh whatever it wrote before", async (s) => {
      // Refusals are judged on the stored record, never on a copy the writer kept of its last write.
      const writer = s.host("host-a");
      await writer.ensureStore();
      await writer.ensureCheckpoint("0", { epoch: 3 });
      await writer.updateCheckpoint("0", position(50), { epoch: 3 });
      await s.host("admin").deleteCheckpoint("0");
      await writer.updateCheckpoint("0", position(5), { epoch: 3 });
      expect(plain(await s.host("host-b").getCheckpoint("0"))).toEqual(plain(position(5)));
    });
  });
  describe("scopes", () => {
    test("namespaces, hubs and consumer groups sharing one store keep separate checkpoints", async (s) => {
      await s.host("setup", neighbourScopes[0]).ensureStore();
      for (const [i, scope] of neighbourScopes.entries()) {
        const c = s.host(`host-${i}`, scope);
        await c.ensureCheckpoint("0", { epoch: 10 - i });
        await c.updateCheckpoint("0", position(100 + i), { epoch: 10 - i });
      }
      for (const [i, scope] of neighbourScopes.entries()) {
        const c = s.host(`reader-${i}`, scope);
        expect(plain(await c.getCheckpoint("0")), `scope ${JSON.stringify(scope)}`).toEqual(plain(position(100 + i)));
        // Each scope has its own fence: epoch 10 - i is accepted here though other scopes are higher.
        await c.updateCheckpoint("0", position(200 + i), { epoch: 10 - i });
      }
      await s.host("deleter", neighbourScopes[1]).deleteCheckpoint("0");
      expect(plain(await s.host("reader", neighbourScopes[0]).getCheckpoint("0"))).toEqual(plain(position(200)));
    });
  });
}
