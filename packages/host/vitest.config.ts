import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // End-to-end tests wait for leases to expire and hosts to rebalance (seconds, with short leases).
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
