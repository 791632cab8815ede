import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Every test talks to Azurite over loopback; on a busy 2-core machine a test of 50-100 storage calls
    // can take several seconds. Nothing here sleeps: the limit only guards against hangs.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
