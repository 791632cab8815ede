import { type HostRecord, type HostRecordWrite, keepsHostRecords, type Leaser } from "@eph/core";
import { expectEphError } from "../error-assertions.js";
import { expect } from "../expect.js";
import { neighbourScopes, type Scope } from "../host-info.js";
import type { Session } from "../session.js";
import type { SuiteContext } from "../suite-context.js";
import { sorted } from "./helpers.js";

type HeartbeatLeaser = Leaser & Required<Pick<Leaser, "listLeasesAndHosts" | "writeHostRecord" | "deleteHostRecord">>;

/** A configured leaser that keeps host records (every eph Leaser does: core implements them once). */
function beater(s: Session<Leaser>, hostName: string, scope?: Scope): HeartbeatLeaser {
  const leaser = s.host(hostName, scope);
  expect(keepsHostRecords(leaser), "the leaser keeps host liveness records").toBe(true);
  return leaser as HeartbeatLeaser;
}

function written(outcome: HostRecordWrite, what: string): HostRecord {
  expect(outcome.status, `${what}: ${JSON.stringify(outcome)}`).toBe("written");
  if (outcome.status !== "written") throw new Error("unreachable");
  expect(typeof outcome.record.version === "string" && outcome.record.version !== "", `${what}: version`).toBe(true);
  return outcome.record;
}

function plainRecord(record: HostRecord | undefined): HostRecord | undefined {
  return record && { hostName: record.hostName, instance: record.instance, beat: record.beat, version: record.version };
}

async function hostsOf(leaser: HeartbeatLeaser): Promise<HostRecord[]> {
  const { hosts } = await leaser.listLeasesAndHosts();
  return hosts.map((h) => plainRecord(h)!).sort((a, b) => a.hostName.localeCompare(b.hostName));
}

/** The per-host liveness records of heartbeat lease upkeep. */
export function hostRecordTests({ test, describe, concurrency }: SuiteContext<Leaser>): void {
  describe("host liveness records", () => {
    test("the first write creates the record; each beat replaces it at the version last written", async (s) => {
      const a = beater(s, "host-a");
      await a.ensureStore();
      const first = written(await a.writeHostRecord({ instance: "i1", beat: 1 }, undefined), "create");
      expect(plainRecord(first)).toEqual({ hostName: "host-a", instance: "i1", beat: 1, version: first.version });
      const second = written(await a.writeHostRecord({ instance: "i1", beat: 2 }, first.version), "beat");
      expect(second.version).not.toBe(first.version);
      expect(await hostsOf(beater(s, "observer"))).toEqual([plainRecord(second)]);
      // A beat at a version that is no longer stored changes nothing.
      const stale = await a.writeHostRecord({ instance: "i1", beat: 3 }, first.version);
      expect(stale.status).toBe("conflict");
      expect(plainRecord(stale.status === "conflict" ? stale.current : undefined)).toEqual(plainRecord(second));
      // A second create under the same name is a conflict too.
      expect((await a.writeHostRecord({ instance: "i1", beat: 4 }, undefined)).status).toBe("conflict");
    });

    test("of racing processes with one host name exactly one creates the record; the others see the winner's", async (s) => {
      const racers = Array.from({ length: concurrency }, () => beater(s, "host-a"));
      await racers[0]!.ensureStore();
      const outcomes = await Promise.all(
        racers.map((racer, i) => racer.writeHostRecord({ instance: `process-${i}`, beat: 1 }, undefined)),
      );
      const winners = outcomes.flatMap((o) => (o.status === "written" ? [o.record] : []));
      expect(winners, "exactly one creator").toHaveLength(1);
      const winner = winners[0]!;
      for (const outcome of outcomes) {
        if (outcome.status === "conflict") expect(plainRecord(outcome.current)).toEqual(plainRecord(winner));
      }
      expect(await hostsOf(beater(s, "observer"))).toEqual([plainRecord(winner)]);
    });

    test("a record rewritten by another process is a conflict for its writer, carrying the other instance", async (s) => {
      const mine = beater(s, "host-a");
      const other = beater(s, "host-a");
      await mine.ensureStore();
      const first = written(await mine.writeHostRecord({ instance: "mine", beat: 1 }, undefined), "create");
      const taken = written(await other.writeHostRecord({ instance: "other", beat: 1 }, first.version), "take-over");
      const beat = await mine.writeHostRecord({ instance: "mine", beat: 2 }, first.version);
      expect(beat.status).toBe("conflict");
      expect(plainRecord(beat.status === "conflict" ? beat.current : undefined)).toEqual(plainRecord(taken));
      // Another host name's record is its own: neither write touches it.
      const b = written(await beater(s, "host-b").writeHostRecord({ instance: "b", beat: 1 }, undefined), "host-b");
      expect(await hostsOf(beater(s, "observer"))).toEqual([plainRecord(taken), plainRecord(b)]);
    });

    test("listLeasesAndHosts returns the scope's leases and host records in one listing; getLeases no host records", async (s) => {
      const a = beater(s, "host-a");
      await a.ensureStore();
      await Promise.all([a.ensureLease("0"), a.ensureLease("1")]);
      await a.acquireLease("0");
      const records = [
        written(await a.writeHostRecord({ instance: "a", beat: 1 }, undefined), "host-a"),
        written(await beater(s, "host-b").writeHostRecord({ instance: "b", beat: 1 }, undefined), "host-b"),
      ];
      const neighbour = beater(s, "host-a", neighbourScopes[0]);
      await neighbour.writeHostRecord({ instance: "elsewhere", beat: 1 }, undefined);
      const observer = beater(s, "observer");
      const listing = await observer.listLeasesAndHosts();
      expect(sorted(listing.leases)).toEqual(sorted(await observer.getLeases()));
      expect(sorted(listing.leases).map((l) => [l.partitionId, l.owner])).toEqual([
        ["0", "host-a"],
        ["1", ""],
      ]);
      expect(await hostsOf(observer)).toEqual(records.map(plainRecord));
      expect((await observer.getLeases()).map((l) => l.partitionId).sort()).toEqual(["0", "1"]);
    });

    test("a host name with any characters has its own record", async (s) => {
      const name = "pod 7/worker#1?ü'\"";
      const a = beater(s, name);
      await a.ensureStore();
      const record = written(await a.writeHostRecord({ instance: "x", beat: 1 }, undefined), "create");
      expect(await hostsOf(beater(s, "observer"))).toEqual([
        { hostName: name, instance: "x", beat: 1, version: record.version },
      ]);
    });

    test("deleteHostRecord deletes only at the expected version", async (s) => {
      const a = beater(s, "host-a");
      await a.ensureStore();
      const first = written(await a.writeHostRecord({ instance: "i", beat: 1 }, undefined), "create");
      const second = written(await a.writeHostRecord({ instance: "i", beat: 2 }, first.version), "beat");
      await a.deleteHostRecord(first.version);
      expect(await hostsOf(a)).toEqual([plainRecord(second)]);
      await a.deleteHostRecord(second.version);
      expect(await hostsOf(a)).toEqual([]);
      // Created afresh with a version never used before.
      const again = written(await a.writeHostRecord({ instance: "j", beat: 1 }, undefined), "re-create");
      expect([first.version, second.version].includes(again.version), `new version ${again.version}`).toBe(false);
    });

    test("in a deleted store writes and listings reject StoreNotFound; once recreated the record is created afresh", async (s) => {
      const a = beater(s, "host-a");
      await a.ensureStore();
      const first = written(await a.writeHostRecord({ instance: "i", beat: 1 }, undefined), "create");
      await s.fixture.deleteStoreOutOfBand();
      await expectEphError(a.writeHostRecord({ instance: "i", beat: 2 }, first.version), "StoreNotFound", "beat");
      await expectEphError(a.listLeasesAndHosts(), "StoreNotFound", "listLeasesAndHosts");
      await a.ensureStore();
      const beat = await a.writeHostRecord({ instance: "i", beat: 3 }, first.version);
      expect(beat, "the record is gone").toEqual({ status: "conflict", current: undefined });
      written(await a.writeHostRecord({ instance: "i", beat: 4 }, undefined), "re-create");
    });

    test("a corrupt record is left out of the listing, and a beat over it reports a conflict with no record", async (s) => {
      const a = beater(s, "host-a");
      await a.ensureStore();
      await a.ensureLease("0");
      const b = written(await beater(s, "host-b").writeHostRecord({ instance: "b", beat: 1 }, undefined), "host-b");
      const first = written(await a.writeHostRecord({ instance: "i", beat: 1 }, undefined), "create");
      await s.fixture.writeCorruptRecord(s.info("host-a"), "27");
      const corruptHost = s.fixture.writeCorruptHostRecord;
      if (corruptHost !== undefined) await corruptHost.call(s.fixture, s.info("host-a"));
      const listing = await a.listLeasesAndHosts();
      expect(listing.leases.map((l) => l.partitionId)).toEqual(["0"]);
      if (corruptHost === undefined) return;
      expect(listing.hosts.map((h) => plainRecord(h))).toEqual([plainRecord(b)]);
      expect(await a.writeHostRecord({ instance: "i", beat: 2 }, first.version)).toEqual({
        status: "conflict",
        current: undefined,
      });
      // The unreadable record can be deleted and written afresh.
      await a.deleteHostRecord(undefined);
      written(await a.writeHostRecord({ instance: "i", beat: 3 }, undefined), "re-create");
    });
  });
}
