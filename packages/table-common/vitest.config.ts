import { defineConfig } from "vitest/config";

// Every test talks to a real Azurite; on a busy 2-core CI machine a contended test can pass 5 s.
export default defineConfig({ test: { testTimeout: 20_000 } });
