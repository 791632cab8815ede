import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The built bin runs as a child process: build first (incremental, quick when up to date).
    globalSetup: ["./test/build.ts"],
    // End-to-end tests start services and host processes and wait for leases to move (seconds).
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
