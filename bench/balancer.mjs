// Balancer benchmark: real balancers over the in-memory stores in virtual time, with the seed's timing
// (lease 60 s, renewal 10 s, scan 10 s). Prints scan intervals to converge after a join, a crash and a
// graceful leave, ownership moves per membership change, and lease-store calls per partition per hour
// at steady state, for each lease upkeep. Run: pnpm bench:balancer
import { cpus } from "node:os";
import { measureMembership, memoryStores } from "../packages/sim/dist/index.js";

const cases = ["heartbeat", "perPartition"].flatMap((leaseUpkeep) => [
  { partitions: 32, hosts: 4, steadyWindow: 3_600_000, leaseUpkeep },
  { partitions: 1024, hosts: 64, steadyWindow: 600_000, leaseUpkeep },
]);
const rows = [];
for (const c of cases) {
  const t0 = performance.now();
  const f = await measureMembership({ stores: memoryStores, seed: 1, ...c });
  rows.push({ leaseUpkeep: c.leaseUpkeep, ...f, wallSeconds: (performance.now() - t0) / 1000 });
}
const fmt = (x) => (Number.isInteger(x) ? String(x) : x.toFixed(2));
console.log(
  "upkeep       | P x H        | start (intervals/moves/max) | join            | crash           | leave           | steady moves | calls/partition/h",
);
for (const r of rows) {
  const c = (x) => `${fmt(x.intervals)} / ${x.moves} / ${x.maxMovesPerPartition}`.padEnd(15);
  console.log(
    `${r.leaseUpkeep.padEnd(12)} | ${`${r.partitions} x ${r.hosts}`.padEnd(12)} | ${c(r.start).padEnd(27)} | ${c(r.join)} | ${c(r.crash)} | ${c(r.leave)} | ${String(r.steadyMoves).padEnd(12)} | ${fmt(r.callsPerPartitionHour)}`,
  );
}
for (const r of rows) {
  console.log(JSON.stringify({ bench: "balancer", date: new Date().toISOString(), cores: cpus().length, ...r }));
}
