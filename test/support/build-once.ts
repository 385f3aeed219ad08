import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Vitest global setup for the suites that start the real binaries (`apps/server/dist/main.js`, `cli.js`):
 * an incremental `tsc -b` first, so they never run a stale build. Nearly free when nothing changed.
 */
export default function buildOnce(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
  execFileSync(path.join(root, "node_modules/.bin/tsc"), ["-b"], { cwd: root, stdio: "inherit" });
}
