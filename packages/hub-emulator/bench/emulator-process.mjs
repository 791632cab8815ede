// Runs an emulator for the benchmarks in its own process and answers CPU-usage queries over IPC, so the
// benchmark can report CPU time per event (robust on a busy machine) as well as wall-clock rates.
import { startEmulator } from "../dist/esm/index.js";

const options = JSON.parse(process.argv[2] ?? "{}");
const emulator = await startEmulator(options);
process.send({
  ready: true,
  connectionStrings: Object.fromEntries(emulator.hubNames.map((h) => [h, emulator.connectionString(h)])),
});
process.on("message", async (message) => {
  if (message === "cpu") {
    const usage = process.cpuUsage();
    process.send({ cpuMicros: usage.user + usage.system, rss: process.memoryUsage().rss });
  } else if (message === "close") {
    await emulator.close();
    process.exit(0);
  }
});
