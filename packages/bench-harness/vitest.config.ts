import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The soak runs hosts as child processes for tens of seconds.
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
