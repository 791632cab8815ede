import { fileURLToPath } from "node:url";
import { buildIfStale } from "@eph/testing";

/** Rebuilds the package when src/ changed, so the tests run the current `dist/esm/bin.mjs`. */
export default function setup(): void {
  buildIfStale(fileURLToPath(new URL("..", import.meta.url)), "dist/esm/bin.mjs");
}
