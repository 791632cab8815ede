import { describe, expect, it } from "vitest";
import { type LeaseView, planClaims } from "../src/fair-share.js";
import { seededRandom } from "../src/seeded-random.js";

const ids = (n: number) => Array.from({ length: n }, (_, i) => String(i));
function views(owners: string[]): LeaseView[] {
  return owners.map((owner, i) => ({ partitionId: String(i), owner }));
}
function assign(n: number, hosts: Record<string, number>): string[] {
  const out: string[] = [];
  for (const [h, c] of Object.entries(hosts)) for (let i = 0; i < c; i++) out.push(h);
  while (out.length < n) out.push("");
  return out;
}

describe("planClaims (the fair-share rule)", () => {
  it("gives a lone host every free partition", () => {
    const plan = planClaims("a", views(assign(32, {})));
    expect(plan.hosts).toBe(1);
    expect(plan.quota).toBe(32);
    expect(plan.claims.map((c) => c.partitionId).sort()).toEqual(ids(32).sort());
    expect(plan.claims.every((c) => c.from === "")).toBe(true);
  });

  it("lets a joiner that owns nothing steal exactly its share from the most loaded hosts", () => {
    const plan = planClaims("d", views(assign(32, { a: 11, b: 11, c: 10 })));
    expect(plan.hosts).toBe(4);
    expect(plan.quota).toBe(8);
    const from = plan.claims.map((c) => c.from).sort();
    expect(from).toEqual(["a", "a", "a", "b", "b", "b", "c", "c"]);
  });

  it("plans nothing at steady state, for every host", () => {
    const owners = assign(10, { a: 4, b: 3, c: 3 });
    for (const me of ["a", "b", "c"]) expect(planClaims(me, views(owners)).claims).toEqual([]);
  });

  it("keeps the extra partition with the host that already holds it (no fights over remainders)", () => {
    const owners = assign(5, { b: 3, a: 2 });
    expect(planClaims("a", views(owners)).claims).toEqual([]);
    expect(planClaims("b", views(owners)).claims).toEqual([]);
    expect(planClaims("b", views(owners)).quotas.get("b")).toBe(3);
  });

  it("gives the extra slots by name among hosts still claiming, so two snapshots of a cold start leave nothing free", () => {
    // 33 partitions, a and b visible and both still claiming: a plans on one snapshot, b on a later one
    // in which 4 of a's claims have landed. Ranked by count, each snapshot would give the extra slot to
    // the other host (b ahead in the first, a in the second) and partition 28 would wait a scan.
    const owners = (a: number[], b: number[]) =>
      ids(33).map((id) => ({
        partitionId: id,
        owner: a.includes(Number(id)) ? "a" : b.includes(Number(id)) ? "b" : "",
      }));
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    const first = planClaims("a", owners(range(0, 9), range(10, 21)));
    const later = planClaims("b", owners([...range(0, 9), ...range(22, 25)], range(10, 21)));
    const claimed = new Set([...first.claims, ...later.claims].map((c) => Number(c.partitionId)));
    expect([...claimed].sort((x, y) => x - y)).toEqual(range(22, 32));
    expect(first.quotas.get("a")).toBe(17);
    expect(later.quotas.get("a")).toBe(17);
  });

  it("hands disjoint claims to hosts below quota, so they do not race for the same lease", () => {
    const owners = assign(12, { a: 6 }); // six free
    const snapshot = views(owners);
    // b and c are visible only through their own view; give each one lease so all see all three.
    snapshot[6] = { partitionId: "6", owner: "b" };
    snapshot[7] = { partitionId: "7", owner: "c" };
    const b = planClaims("b", snapshot).claims.map((c) => c.partitionId);
    const c = planClaims("c", snapshot).claims.map((c) => c.partitionId);
    const a = planClaims("a", snapshot).claims.map((c) => c.partitionId);
    expect(a).toEqual([]);
    expect(b.length).toBe(3);
    expect(c.length).toBe(3);
    expect(b.filter((p) => c.includes(p))).toEqual([]);
  });

  it("never asks a host to claim when there are more hosts than partitions and it owns none", () => {
    const plan = planClaims("z", views(assign(4, { a: 1, b: 1, c: 1, d: 1 })));
    expect(plan.quota).toBe(0);
    expect(plan.claims).toEqual([]);
  });

  it("spreads a crashed host's partitions (now free) over the survivors by quota", () => {
    const owners = assign(32, { a: 8, b: 8, c: 8 }); // d's 8 expired -> free
    const total = ["a", "b", "c"].map((h) => planClaims(h, views(owners)).claims.length);
    expect(total.sort()).toEqual([2, 3, 3]);
    const all = ["a", "b", "c"].flatMap((h) => planClaims(h, views(owners)).claims.map((c) => c.partitionId));
    expect(new Set(all).size).toBe(8);
  });

  it("balances any assignment plus one joiner within two rounds of every host applying its plan", () => {
    for (let seed = 0; seed < 300; seed++) {
      const hosts = ["a", "b", "c", "d", "e"].slice(0, 1 + (seed % 5));
      const n = 1 + ((seed * 7) % 40);
      let owners = ids(n).map((_, i) => (((seed + i) * 31) % 3 === 0 ? "" : hosts[(seed * i) % hosts.length]!));
      // Every host owns something (is visible), except possibly the joiner "e".
      hosts.forEach((h, i) => {
        if (h !== "e" && i < n && !owners.includes(h)) owners[i] = h;
      });
      const random = seededRandom(seed);
      let rounds = 0;
      for (;;) {
        const snapshot = views(owners);
        const next = owners.slice();
        let moved = 0;
        for (const h of hosts) {
          for (const claim of planClaims(h, snapshot, random).claims) {
            const i = Number(claim.partitionId);
            // A claim is a conditional write: it loses when another host changed the lease first.
            if (next[i] === owners[i]) {
              next[i] = h;
              moved++;
            }
          }
        }
        if (moved === 0) break;
        owners = next;
        rounds++;
        expect(rounds, `seed ${seed}`).toBeLessThanOrEqual(2);
      }
      const counts = hosts.map((h) => owners.filter((o) => o === h).length);
      expect(owners.filter((o) => o === "").length, `seed ${seed}`).toBe(0);
      expect(Math.max(...counts) - Math.min(...counts), `seed ${seed}`).toBeLessThanOrEqual(1);
    }
  });

  it("lets several joiners that start together claim mostly different leases (random picks)", () => {
    const owners = assign(32, { a: 32 });
    const snapshot = views(owners);
    const random = seededRandom(7);
    const picks = ["b", "c", "d"].map((h) => planClaims(h, snapshot, random).claims.map((c) => c.partitionId));
    for (const p of picks) expect(p.length).toBe(16); // each sees only a and itself
    const distinct = new Set(picks.flat()).size;
    expect(distinct).toBeGreaterThan(24);
  });
});
