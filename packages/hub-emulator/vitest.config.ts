import { defineConfig } from "vitest/config";

// Every test drives the real Event Hubs client over a socket; on a busy 2-core CI machine a contended test can
// pass the 5 s default without anything being wrong. Tests still finish in well under a second each when idle.
export default defineConfig({ test: { testTimeout: 20_000, hookTimeout: 60_000 } });
