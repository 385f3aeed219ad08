// `pnpm bench <name> [args...]` runs bench/<name>.mjs with its arguments; with no name, lists the benchmarks and
// the first line of each (what it measures). Each benchmark's own header says its usage and its goal.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const HELPERS = new Set([
  "run",
  "lib",
  "generate-csv",
  "aws-stand-ins",
  "aws-functions",
  "aws-handwritten-handler",
  "ts-hooks",
]);
const benchmarks = readdirSync(here)
  .filter((file) => file.endsWith(".mjs"))
  .map((file) => file.slice(0, -".mjs".length))
  .filter((name) => !HELPERS.has(name))
  .sort();

const [name, ...args] = process.argv.slice(2);
if (name === undefined || !benchmarks.includes(name)) {
  if (name !== undefined) console.error(`No benchmark "${name}".\n`);
  console.log("Usage: pnpm bench <name> [args...]   (see each file's header for its arguments and goal)\n");
  for (const bench of benchmarks) {
    const first = readFileSync(path.join(here, `${bench}.mjs`), "utf8")
      .split("\n")[0]
      .replace(/^\/\/\s*/, "");
    console.log(`  ${bench.padEnd(24)} ${first}`);
  }
  process.exit(name === undefined ? 0 : 2);
}
const { status } = spawnSync(process.execPath, [path.join(here, `${name}.mjs`), ...args], {
  stdio: "inherit",
});
process.exit(status ?? 1);
