import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // npm installs the tarballs and their dependencies (from its cache when warm, from the registry on a
    // fresh machine), and each host program starts a client and claims leases: seconds, not milliseconds.
    testTimeout: 120_000,
    hookTimeout: 240_000,
  },
});
